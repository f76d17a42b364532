//! Rate limits: limited answers close the gate, nothing is sent until the wait is over, then the
//! source recovers. Time is a manual clock, so nothing here waits.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::org;
use runner_monitor_core::{RunnerSource, Scope, SourceError};
use runner_monitor_github::GitHubSource;
use runner_monitor_github::fake::{FakeGitHub, Fault, ManualClock};

async fn setup(runners: usize) -> (FakeGitHub, GitHubSource, ManualClock) {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", runners);
    let clock = ManualClock::new();
    let source = github
        .source_builder()
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    (github, source, clock)
}

fn retry_after(result: Result<runner_monitor_core::Observation, SourceError>) -> Duration {
    match result {
        Err(SourceError::RateLimited { retry_after }) => retry_after,
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn retry_after_is_honoured_with_no_request_before_it_then_recovers() {
    let (github, source, clock) = setup(150).await;
    github.inject(Fault::rate_limited(429, Some(Duration::from_secs(30))));
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(30)
    );
    github.reset_requests();

    clock.advance(Duration::from_secs(10));
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(20)
    );
    // Other scopes share the credential, so they wait too.
    assert!(retry_after(source.observe(&Scope::org("other")).await) > Duration::ZERO);
    clock.advance(Duration::from_secs(19));
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(1)
    );
    assert_eq!(
        github.requests().total,
        0,
        "nothing may reach GitHub before the wait is over"
    );

    clock.advance(Duration::from_secs(1));
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 150);
    assert!(github.requests().listings >= 2);
}

#[tokio::test]
async fn an_exhausted_budget_waits_for_the_reset() {
    let (github, source, clock) = setup(10).await;
    github.inject(Fault::rate_limit_exhausted(Duration::from_secs(600)));
    let wait = retry_after(source.observe(&org()).await);
    assert!(
        (Duration::from_secs(590)..=Duration::from_secs(602)).contains(&wait),
        "{wait:?}"
    );
    assert_eq!(source.rate_limit().unwrap().remaining, 0);
    github.reset_requests();
    clock.advance(wait - Duration::from_secs(1));
    assert!(matches!(
        source.observe(&org()).await,
        Err(SourceError::RateLimited { .. })
    ));
    assert_eq!(github.requests().total, 0);
    clock.advance(Duration::from_secs(1));
    assert!(source.observe(&org()).await.is_ok());
}

#[tokio::test]
async fn without_hints_the_wait_starts_at_a_minute_and_doubles() {
    let (github, source, clock) = setup(10).await;
    github.inject(Fault::secondary_rate_limit().times(2));
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(60)
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(120)
    );
    clock.advance(Duration::from_secs(120));
    assert!(source.observe(&org()).await.is_ok());
    // A success starts the floor over.
    github.inject(Fault::secondary_rate_limit());
    github.set_busy(&org(), "r-00001", true);
    assert_eq!(
        retry_after(source.observe(&org()).await),
        Duration::from_secs(60)
    );
}

#[tokio::test]
async fn a_limit_mid_listing_is_an_error_never_a_partial_list() {
    let (github, source, _clock) = setup(250).await;
    github.inject(Fault::rate_limited(403, Some(Duration::from_secs(5))).on_page(2));
    assert!(matches!(
        source.observe(&org()).await,
        Err(SourceError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn the_real_budget_runs_out_and_304s_are_free() {
    let github = FakeGitHub::builder()
        .rate_limit(4, Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    github.add_runners(&org(), "r", 250);
    let clock = ManualClock::new();
    let source = github
        .source_builder()
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();

    source.observe(&org()).await.unwrap(); // three 200s, two free 304s
    assert_eq!(source.rate_limit().unwrap().remaining, 1);
    for _ in 0..3 {
        source.observe(&org()).await.unwrap(); // only 304s
    }
    let status = source.rate_limit().unwrap();
    assert_eq!((status.limit, status.remaining), (4, 1));

    github.set_busy(&org(), "r-00250", true);
    source.observe(&org()).await.unwrap(); // 304, 304, then one 200: the last of the budget
    github.set_busy(&org(), "r-00249", true);
    let wait = retry_after(source.observe(&org()).await);
    assert!(
        wait > Duration::from_secs(3000),
        "waits for the reset, got {wait:?}"
    );
    github.reset_requests();
    assert!(matches!(
        source.observe(&org()).await,
        Err(SourceError::RateLimited { .. })
    ));
    assert_eq!(github.requests().total, 0);
}

#[tokio::test]
async fn the_latest_rate_limit_status_is_exposed() {
    let (github, source, _clock) = setup(10).await;
    assert_eq!(source.rate_limit(), None);
    source.observe(&org()).await.unwrap();
    let status = source.rate_limit().unwrap();
    assert_eq!(status.limit, 5000);
    assert_eq!(Some(status.remaining), github.rate_limit_remaining());
    assert_eq!(status.used, Some(5000 - status.remaining));
    assert_eq!(status.resource.as_deref(), Some("core"));
    assert!(status.reset > std::time::SystemTime::now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_are_bounded() {
    let github = FakeGitHub::start().await.unwrap();
    let scopes: Vec<Scope> = (0..12).map(|i| Scope::org(format!("org{i}"))).collect();
    for scope in &scopes {
        github.add_runners(scope, "r", 3);
    }
    github.inject(Fault::slow(Duration::from_millis(100)).times(12));
    let source = github
        .source_builder()
        .max_concurrent_requests(3)
        .build()
        .unwrap();
    let results = futures_join(&source, &scopes).await;
    assert!(results.iter().all(Result::is_ok));
    let requests = github.requests();
    assert_eq!(requests.listings, 12);
    assert!(requests.max_in_flight <= 3, "{requests:?}");
}

async fn futures_join(
    source: &GitHubSource,
    scopes: &[Scope],
) -> Vec<Result<runner_monitor_core::Observation, SourceError>> {
    let tasks: Vec<_> = scopes
        .iter()
        .map(|scope| {
            let source = source.clone();
            let scope = scope.clone();
            tokio::spawn(async move { source.observe(&scope).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}
