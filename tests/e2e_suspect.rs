//! End to end, in process: a fleet of 250 runners whose listing goes empty (200, `total_count`
//! 0) for 40 seconds, then returns. The daemon sends no runner message; "monitoring degraded" (and
//! "restored") only when `source_alert_after` is shorter than the gap.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::time::Duration;

use e2e_support::{World, wait_cycles};
use runner_monitor::github::fake::FakeRunner;
use runner_monitor::host::build::Host;
use runner_monitor::host::config::Loader;
use runner_monitor::host::daemon::Daemon;

const FLEET: usize = 250;
const GAP: Duration = Duration::from_secs(40);

/// The world's configuration with `source_alert_after` set and a slower cycle (the gap spans
/// about 80 cycles, well inside the fake's rate limit).
async fn host(world: &World, source_alert_after: &str) -> Host {
    let text = world
        .config_text("127.0.0.1:0")
        .replace("interval = \"150ms\"", "interval = \"500ms\"")
        .replace(
            "[policy]\n",
            &format!("[policy]\nsource_alert_after = \"{source_alert_after}\"\n"),
        );
    let path = world.dir.path().join("suspect.toml");
    std::fs::write(&path, text).unwrap();
    let config = Loader::new().file(path).load().unwrap();
    assert_eq!(
        config.policy.source_alert_after,
        humantime::parse_duration(source_alert_after).unwrap()
    );
    Host::build(config, &world.secrets()).await.unwrap()
}

/// Runs `daemon` while `steps` run (like `e2e_support::with_daemon`, with room for the gap).
async fn with_daemon<F, T>(
    daemon: Daemon,
    steps: impl FnOnce(runner_monitor::host::health::Health) -> F,
) -> T
where
    F: std::future::Future<Output = T>,
{
    let health = daemon.health().clone();
    let (trigger, shutdown) = runner_monitor::host::daemon::channel();
    let run = async {
        tokio::time::timeout(GAP + Duration::from_secs(60), daemon.run(shutdown))
            .await
            .expect("the daemon stops after shutdown")
    };
    let (result, value) = tokio::join!(run, async {
        let value = steps(health).await;
        trigger.trigger();
        value
    });
    result.unwrap();
    value
}

/// Runs the 40-second empty listing; returns the Slack messages and what `/healthz` and
/// `/metrics` said during the gap.
async fn empty_listing_for_40_seconds(
    owner: &str,
    source_alert_after: &str,
) -> (Vec<String>, String, String) {
    let world = World::start_as(owner).await;
    let world = &world;
    world.github.add_runners(&world.api, "rack", FLEET - 2);
    let daemon = Daemon::start(host(world, source_alert_after).await)
        .await
        .unwrap();
    let addr = daemon.http_addr().unwrap();
    let (health_body, metrics) = with_daemon(daemon, |health| async move {
        wait_cycles(&health, 2).await;
        let names: Vec<String> = world
            .github
            .runners(&world.api)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names.len(), FLEET);

        // GitHub answers 200 with total_count 0 for the repository.
        for name in &names {
            assert!(world.github.remove_runner(&world.api, name));
        }
        let before = health.status().body["cycles"].as_u64().unwrap();
        tokio::time::sleep(GAP).await; // the gap itself is what is tested
        let during = health.status().body["cycles"].as_u64().unwrap();
        assert!(
            during >= before + 20,
            "the gap spans many cycles: {before} -> {during}"
        );
        let health_body = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let metrics = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();

        // The runners come back (registered again under the same names).
        for name in &names {
            world
                .github
                .add_runner(&world.api, FakeRunner::new(name.clone()));
        }
        let back = health.status().body["cycles"].as_u64().unwrap();
        wait_cycles(&health, back + 6).await;
        (health_body, metrics)
    })
    .await;
    (world.messages(), health_body, metrics)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_40_second_empty_listing_sends_nothing_when_source_alert_after_is_longer() {
    let (messages, health, metrics) = empty_listing_for_40_seconds("quiet", "5m").await;
    assert!(
        messages.is_empty(),
        "no runner message, no degraded: {messages:?}"
    );
    assert!(
        health.contains("suspect listing: GitHub listed 0 of 250 known runners of quiet/api"),
        "/healthz names the suspect listing: {health}"
    );
    assert!(
        metrics.contains(
            r#"runner_monitor_source_errors_total{scope="quiet/api",class="suspect_listing"}"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"runner_monitor_open_outages{scope="quiet/api"} 0"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_40_second_empty_listing_is_one_degraded_and_one_restored_when_source_alert_after_is_shorter()
 {
    let (messages, _, _) = empty_listing_for_40_seconds("loud", "10s").await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("Degraded") && messages[0].contains("suspect_listing"),
        "{messages:?}"
    );
    assert!(
        messages[0].contains("GitHub listed 0 of 250 known runners of loud/api"),
        "{messages:?}"
    );
    assert!(messages[1].contains("Restored"), "{messages:?}");
    assert!(
        messages.iter().all(|m| !m.contains("rack-")),
        "no runner named: {messages:?}"
    );
}
