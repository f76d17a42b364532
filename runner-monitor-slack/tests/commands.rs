//! Every slash command, answered from a real (in-memory) store through the signed handler.

mod common;

use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{
    DegradedIncident, FailureClass, RunnerStatus, Scope, ScopeRecord, SourceFailure,
};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::fake::validate_message;

use common::slash::*;

fn acme() -> Scope {
    Scope::repo("acme", "api")
}

/// acme/api: build-1 offline with an open outage, build-2 unknown, build-3 busy, build-4 idle.
async fn small_fleet() -> MemoryStore {
    let store = MemoryStore::new();
    seed(
        &store,
        &acme(),
        observed_record(),
        vec![
            runner("build-3", RunnerStatus::Busy, at(100)),
            runner("build-1", RunnerStatus::Offline, at(80_000)),
            runner("build-4", RunnerStatus::Idle, at(200)),
            runner("build-2", RunnerStatus::Unknown, at(85_000)),
        ],
        vec![outage("build-1", 1, at(80_000), None)],
    )
    .await;
    store
}

fn assert_ephemeral_ok(response: &runner_monitor_slack::SlashResponse) {
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(response.body["response_type"], "ephemeral");
    assert_eq!(validate_message(&response.body), Ok(()));
}

#[tokio::test]
async fn status_counts_and_lists_unhealthy_first_with_one_read() {
    let (commands, counts) = commands(Arc::new(small_fleet().await), vec![acme()]);
    let response = run(&commands, "/runner-status", "").await;
    assert_ephemeral_ok(&response);
    let text = plain(&response);
    assert!(text.contains("Runners of acme/api"), "{text}");
    assert!(
        text.contains("4 runners: 1 Offline · 1 Unknown · 1 Busy · 1 Idle"),
        "{text}"
    );
    assert!(text.contains("2 unhealthy"), "{text}");
    assert!(
        text.contains("build-1 Offline for 1h 46m (outage #1)"),
        "{text}"
    );
    let order: Vec<usize> = ["build-1", "build-2", "build-3", "build-4"]
        .iter()
        .map(|n| text.find(&format!("• {n}")).unwrap_or(usize::MAX))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");
    let counts = counts.counts();
    assert_eq!(
        (counts.loads, counts.other_reads, counts.writes()),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn status_all_is_an_alias() {
    let (commands, _) = commands(Arc::new(small_fleet().await), vec![acme()]);
    let all = run(&commands, "/runner-status-all", "").await;
    let status = run(&commands, "/runner-status", "acme/api").await;
    assert_eq!(all, status);
}

#[tokio::test]
async fn status_without_scope_summarizes_every_configured_scope() {
    let scopes = vec![acme(), Scope::org("acme"), Scope::repo("acme", "web")];
    let (commands, counts) = commands(Arc::new(small_fleet().await), scopes);
    let response = run(&commands, "/runner-status", "").await;
    assert_ephemeral_ok(&response);
    let text = plain(&response);
    assert!(!text.contains("please name one"), "{text}");
    assert!(
        text.contains(
            "acme/api: 4 runners: 1 online · 1 busy · 1 offline · 1 missing · 1 open outage"
        ),
        "{text}"
    );
    assert!(
        text.contains("org:acme: 0 runners") && text.contains("acme/web: 0 runners"),
        "{text}"
    );
    assert!(
        text.contains("build-1 Offline for 1h 46m (outage #1)"),
        "{text}"
    );
    assert!(text.contains("build-2 Unknown for"), "{text}");
    assert_eq!(counts.counts().loads, 3);
    // a short unique name still gives that scope's detail
    let response = run(&commands, "/runner-status", "api").await;
    assert!(plain(&response).contains("Runners of acme/api"));
    assert_eq!(counts.counts().loads, 4);
}

#[tokio::test]
async fn unknown_scope_lists_the_configured_ones_without_reading() {
    let (commands, counts) = commands(Arc::new(small_fleet().await), vec![acme()]);
    for (command, text) in [
        ("/runner-status", "nope/repo"),
        ("/runner-history", "build-1 org:nope"),
    ] {
        let response = run(&commands, command, text).await;
        assert_ephemeral_ok(&response);
        let text = plain(&response);
        assert!(text.contains("Unknown scope"), "{text}");
        assert!(text.contains("Configured scopes: acme/api"), "{text}");
    }
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn status_warns_when_monitoring_is_degraded() {
    let store = MemoryStore::new();
    let failure = SourceFailure {
        class: FailureClass::Unauthorized,
        message: "unauthorized: Bad credentials".to_owned(),
    };
    let record = ScopeRecord {
        last_success_at: Some(at(0)),
        failing_since: Some(at(600)),
        last_failure: Some(failure.clone()),
        degraded: Some(DegradedIncident {
            id: 1,
            since: at(600),
            failure,
        }),
        last_incident_id: 1,
        history_expired_at: None,
        ..ScopeRecord::default()
    };
    seed(
        &store,
        &acme(),
        record,
        vec![runner("build-3", RunnerStatus::Busy, at(100))],
        vec![],
    )
    .await;
    let (commands, _) = commands(Arc::new(store), vec![acme()]);
    let text = plain(&run(&commands, "/runner-status", "").await);
    assert!(text.contains("Monitoring is failing"), "{text}");
    assert!(text.contains("renew GITHUB_TOKEN"), "{text}");
    assert!(
        !text.contains("Bad credentials"),
        "raw errors stay out: {text}"
    );
}

#[tokio::test]
async fn status_of_an_empty_scope_says_so() {
    let (commands, _) = commands(Arc::new(MemoryStore::new()), vec![acme()]);
    let response = run(&commands, "/runner-status", "").await;
    assert_ephemeral_ok(&response);
    assert!(plain(&response).contains("No runners are recorded"));
}

#[tokio::test]
async fn history_shows_the_last_five_newest_first_with_one_read() {
    let store = MemoryStore::new();
    let mut outages: Vec<_> = (1..=6)
        .map(|id| {
            let start = at(id as i64 * 3600);
            outage(
                "build-1",
                id,
                start,
                Some(start + chrono::Duration::seconds(125)),
            )
        })
        .collect();
    outages.push(outage("build-1", 7, at(80_000), None));
    seed(
        &store,
        &acme(),
        observed_record(),
        vec![runner("build-1", RunnerStatus::Offline, at(80_000))],
        outages,
    )
    .await;
    let (commands, counts) = commands(Arc::new(store), vec![acme()]);
    let response = run(&commands, "/runner-history", "build-1").await;
    assert_ephemeral_ok(&response);
    let text = plain(&response);
    let ids: Vec<usize> = (1..=7)
        .map(|id| text.find(&format!("Outage #{id} ")).unwrap_or(usize::MAX))
        .collect();
    assert!(
        ids[0] == usize::MAX && ids[1] == usize::MAX,
        "only five:\n{text}"
    );
    assert!(
        ids[6] < ids[5] && ids[5] < ids[4] && ids[4] < ids[3] && ids[3] < ids[2],
        "newest first:\n{text}"
    );
    assert!(text.contains("Ended: Ongoing"), "{text}");
    assert!(text.contains("Duration: 1h 46m so far"), "{text}");
    assert!(text.contains("Duration: 2m 5s"), "{text}");
    assert!(text.contains("Started: 2026-01-01 06:00:00 UTC"), "{text}");
    let counts = counts.counts();
    assert_eq!((counts.other_reads, counts.loads), (1, 0));
}

#[tokio::test]
async fn history_accepts_scope_then_runner() {
    let scopes = vec![acme(), Scope::org("acme")];
    let (commands, _) = commands(Arc::new(small_fleet().await), scopes);
    let a = run(&commands, "/runner-history", "build-1 acme/api").await;
    let b = run(&commands, "/runner-history", "acme/api build-1").await;
    assert_eq!(a, b);
    assert!(
        plain(&a).contains("Outage history: build-1"),
        "{}",
        plain(&a)
    );
}

#[tokio::test]
async fn unknown_runner_gets_the_closest_names() {
    let (commands, counts) = commands(Arc::new(small_fleet().await), vec![acme()]);
    let response = run(&commands, "/runner-history", "biuld-3").await;
    assert_ephemeral_ok(&response);
    let text = plain(&response);
    assert!(
        text.contains("Couldn't find a runner named biuld-3 in acme/api. Did you mean build-3"),
        "{text}"
    );
    let counts = counts.counts();
    assert_eq!((counts.other_reads, counts.loads), (1, 1));

    let text = plain(&run(&commands, "/runner-history", "zzzzzzzz").await);
    assert!(text.contains("It has 4 runners"), "{text}");
}

#[tokio::test]
async fn runner_without_outages_says_it_is_fine() {
    let (commands, _) = commands(Arc::new(small_fleet().await), vec![acme()]);
    let text = plain(&run(&commands, "/runner-history", "build-4").await);
    assert!(
        text.contains("build-4 in acme/api has no recorded outages; it is Idle now"),
        "{text}"
    );
}

#[tokio::test]
async fn usage_mistakes_get_usage_without_reading() {
    let (commands, counts) = commands(Arc::new(small_fleet().await), vec![acme()]);
    for (command, text, expected) in [
        (
            "/runner-history",
            "",
            "Usage: /runner-history <runner> [scope]",
        ),
        (
            "/runner-history",
            "a b c",
            "Usage: /runner-history <runner> [scope]",
        ),
        ("/runner-status", "a b", "Usage: /runner-status [scope]"),
        ("/runner-nope", "", "does not know /runner-nope"),
    ] {
        let response = run(&commands, command, text).await;
        assert_ephemeral_ok(&response);
        let text = plain(&response);
        assert!(text.contains(expected), "{text}");
    }
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn help_lists_commands_and_scopes() {
    let scopes = vec![acme(), Scope::org("acme")];
    let (commands, counts) = commands(Arc::new(MemoryStore::new()), scopes);
    let response = run(&commands, "/runner-help", "").await;
    assert_ephemeral_ok(&response);
    let text = plain(&response);
    for expected in [
        "/runner-status [scope]",
        "/runner-status-all",
        "/runner-history <runner> [scope]",
        "/runner-help",
        "Scopes: acme/api, org:acme",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn store_failures_become_a_friendly_try_again() {
    let (commands, _) = commands(Arc::new(FailingStore), vec![acme()]);
    for (command, text) in [("/runner-status", ""), ("/runner-history", "build-1")] {
        let response = run(&commands, command, text).await;
        assert_ephemeral_ok(&response);
        let body = response.body.to_string();
        assert!(body.contains("try again"), "{body}");
        assert!(
            !body.contains("hunter2") && !body.contains("db-internal"),
            "{body}"
        );
        assert!(!body.contains("unavailable"), "{body}");
    }
}

#[tokio::test]
async fn user_input_is_escaped_in_answers() {
    let (commands, _) = commands(Arc::new(small_fleet().await), vec![acme()]);
    let response = run(&commands, "/runner-history", "<!channel>").await;
    let body = response.body.to_string();
    assert!(!body.contains("<!channel>"), "{body}");
    assert!(body.contains("&lt;!channel&gt;"), "{body}");
}
