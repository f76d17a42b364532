//! The rate-limit gauges reach the `metrics` facade.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::org;
use metrics::{
    Counter, Gauge, GaugeFn, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};
use runner_monitor_core::RunnerSource;
use runner_monitor_github::fake::FakeGitHub;

type Gauges = Arc<Mutex<HashMap<String, f64>>>;

struct Recorded {
    name: String,
    gauges: Gauges,
}

impl GaugeFn for Recorded {
    fn increment(&self, value: f64) {
        *self
            .gauges
            .lock()
            .unwrap()
            .entry(self.name.clone())
            .or_default() += value;
    }
    fn decrement(&self, value: f64) {
        *self
            .gauges
            .lock()
            .unwrap()
            .entry(self.name.clone())
            .or_default() -= value;
    }
    fn set(&self, value: f64) {
        self.gauges.lock().unwrap().insert(self.name.clone(), value);
    }
}

struct GaugeRecorder(Gauges);

impl Recorder for GaugeRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(Arc::new(Recorded {
            name: key.name().to_owned(),
            gauges: Arc::clone(&self.0),
        }))
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[tokio::test]
async fn rate_limit_gauges_follow_the_headers() {
    let gauges = Gauges::default();
    metrics::set_global_recorder(GaugeRecorder(Arc::clone(&gauges))).unwrap();

    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 3);
    let source = github.source_builder().build().unwrap();
    source.observe(&org()).await.unwrap();

    let status = source.rate_limit().unwrap();
    let gauges = gauges.lock().unwrap().clone();
    #[allow(clippy::cast_precision_loss)]
    let expect = |value: u64| Some(value as f64);
    assert_eq!(
        gauges
            .get("runner_monitor_github_rate_limit_remaining")
            .copied(),
        expect(status.remaining)
    );
    assert_eq!(
        gauges
            .get("runner_monitor_github_rate_limit_remaining")
            .copied(),
        expect(github.rate_limit_remaining().unwrap())
    );
    let reset = status
        .reset
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(
        gauges
            .get("runner_monitor_github_rate_limit_reset_seconds")
            .copied(),
        expect(reset)
    );
    assert_eq!(
        gauges
            .get("runner_monitor_github_rate_limit_limit")
            .copied(),
        expect(5000)
    );
}
