//! `/healthz` rules and the router's answers without a daemon around them.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use runner_monitor::core::testing::at;
use runner_monitor::core::{
    CycleReport, DispatchReport, Scope, ScopeReport, SourceError, StoreError,
};
use runner_monitor::host::health::Health;
use runner_monitor::host::http::{HttpState, router, serve};

fn scope_report(scope: &str) -> ScopeReport {
    ScopeReport {
        scope: scope.parse::<Scope>().unwrap(),
        runners_seen: 2,
        changes: 0,
        outages_opened: 0,
        outages_resolved: 0,
        notifications: 0,
        open_outages: 0,
        conflicts_retried: 0,
        source_error: None,
        store_error: None,
        held: None,
    }
}

fn report(scopes: Vec<ScopeReport>) -> CycleReport {
    CycleReport {
        at: at(0),
        scopes,
        pools: Vec::new(),
        deliveries: DispatchReport::default(),
    }
}

#[test]
fn healthy_while_cycles_complete_on_time() {
    let health = Health::new(Duration::from_secs(60));
    let start = Instant::now();
    assert!(
        health.status_at(start + Duration::from_secs(30)).healthy,
        "grace at start"
    );
    let stale = health.status_at(start + Duration::from_secs(61));
    assert!(!stale.healthy);
    assert!(stale.reason.unwrap().contains("no cycle has completed"));

    let done = start + Duration::from_secs(10);
    health.cycle_finished_at(&report(vec![scope_report("acme/api")]), done);
    let ok = health.status_at(done + Duration::from_secs(59));
    assert!(ok.healthy && ok.reason.is_none(), "{ok:?}");
    assert_eq!(ok.body["cycles"], 1);
    assert_eq!(ok.body["status"], "ok");

    health.cycle_started();
    let late = health.status_at(done + Duration::from_secs(61));
    assert!(!late.healthy);
    let reason = late.reason.unwrap();
    assert!(
        reason.contains("completed 61 s ago") && reason.contains("running"),
        "{reason}"
    );
    assert_eq!(late.body["status"], "unhealthy");
}

#[test]
fn a_failing_store_is_unhealthy_a_failing_github_is_degraded() {
    let health = Health::new(Duration::from_secs(60));
    let now = Instant::now();
    let mut github_down = scope_report("acme/api");
    github_down.source_error = Some(SourceError::Unavailable {
        message: "HTTP 502".to_owned(),
    });
    health.cycle_finished_at(&report(vec![github_down, scope_report("org:acme")]), now);
    let degraded = health.status_at(now);
    assert!(degraded.healthy);
    let reason = degraded.reason.unwrap();
    assert!(reason.starts_with("degraded: 1 of 2 scopes"), "{reason}");

    let mut store_down = scope_report("acme/api");
    store_down.store_error = Some(StoreError::Unavailable {
        message: "disk I/O error".to_owned(),
    });
    health.cycle_finished_at(&report(vec![store_down]), now);
    let sick = health.status_at(now);
    assert!(!sick.healthy);
    assert!(sick.reason.unwrap().contains("disk I/O error"));
}

#[tokio::test]
async fn the_router_answers_404_for_what_is_not_configured() {
    let health = Health::new(Duration::from_secs(60));
    let app = router(HttpState {
        health: health.clone(),
        metrics: None,
        slash: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let healthz = http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(healthz.status(), 200);
    let body: serde_json::Value = healthz.json().await.unwrap();
    assert_eq!(body["cycles"], 0);
    let metrics = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 404);
    let slash = http
        .post(format!("http://{addr}/slack/commands"))
        .body("command=%2Frunner-help")
        .send()
        .await
        .unwrap();
    assert_eq!(slash.status(), 404);
    let interactions = http
        .post(format!("http://{addr}/slack/interactions"))
        .body("payload=%7B%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(interactions.status(), 404);
    let wrong_method = http
        .get(format!("http://{addr}/slack/commands"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_router_passes_signed_button_clicks_to_the_interaction_handler() {
    use runner_monitor_slack::SlashCommands;
    use runner_monitor_slack::signature::sign;
    use secrecy::SecretString;
    let secret = SecretString::from("router-signing-secret");
    let store = std::sync::Arc::new(runner_monitor_memory::MemoryStore::new());
    let slash = SlashCommands::new(store, vec![Scope::org("acme")], secret.clone()).unwrap();
    let app = router(HttpState {
        health: Health::new(Duration::from_secs(60)),
        metrics: None,
        slash: Some(std::sync::Arc::new(slash)),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));
    let body = "payload=%7B%22type%22%3A%22view_closed%22%7D";
    let ts = chrono::Utc::now().timestamp().to_string();
    let post = |signature: String| {
        reqwest::Client::new()
            .post(format!("http://{addr}/slack/interactions"))
            .header("X-Slack-Request-Timestamp", ts.clone())
            .header("X-Slack-Signature", signature)
            .body(body)
            .send()
    };
    let forged = post(sign(&SecretString::from("forged"), &ts, body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let signed = post(sign(&secret, &ts, body.as_bytes())).await.unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.text().await.unwrap(), "{}");
    let replayed = post(sign(&secret, &ts, body.as_bytes())).await.unwrap();
    assert_eq!(replayed.status(), 401);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
