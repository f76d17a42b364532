//! `/runner-silence`, `/runner-unsilence`, `/runner-silences` and `/runner-ack` through the
//! signed handler, over a real in-memory store: what is stored, what is answered, what is
//! refused.

mod common;

use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{RunnerStatus, Scope, Silence, SilenceTarget, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::fake::validate_message;

use common::slash::*;

fn acme() -> Scope {
    Scope::repo("acme", "api")
}

fn web() -> Scope {
    Scope::repo("acme", "web")
}

/// acme/api: build-1 offline with an open outage, build-2 idle; acme/web: deploy-1 offline
/// with an open outage.
async fn fleet() -> MemoryStore {
    let store = MemoryStore::new();
    seed(
        &store,
        &acme(),
        observed_record(),
        vec![
            runner("build-1", RunnerStatus::Offline, at(80_000)),
            runner("build-2", RunnerStatus::Idle, at(200)),
        ],
        vec![outage("build-1", 1, at(80_000), None)],
    )
    .await;
    seed(
        &store,
        &web(),
        observed_record(),
        vec![runner("deploy-1", RunnerStatus::Offline, at(80_000))],
        vec![outage("deploy-1", 1, at(80_000), None)],
    )
    .await;
    store
}

fn ok(response: &runner_monitor_slack::SlashResponse) -> String {
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(validate_message(&response.body), Ok(()));
    plain(response)
}

#[tokio::test]
async fn silence_is_stored_listed_shown_in_status_and_removed() {
    let store = fleet().await;
    let (commands, counts) = commands(Arc::new(store.clone()), vec![acme(), web()]);
    let text = ok(&run(&commands, "/runner-silence", "acme/api 2h rack move").await);
    assert!(text.contains("silenced acme/api for 2h"), "{text}");
    let stored = store.silences().await.expect("silences");
    assert_eq!(stored.len(), 1);
    let silence = &stored[0];
    assert_eq!(silence.target, SilenceTarget::Scope(acme()));
    assert_eq!(silence.reason, "rack move");
    assert_eq!(silence.created_by, "U1", "the Slack user is recorded");
    assert!(silence.is_active(now()));
    assert_eq!(
        silence.active_until(now()),
        Some(now() + chrono::Duration::hours(2))
    );
    assert!(
        text.contains(&format!("/runner-unsilence {}", silence.id)),
        "{text}"
    );

    let listed = ok(&run(&commands, "/runner-silences", "").await);
    assert!(
        listed.contains(&silence.id) && listed.contains("active"),
        "{listed}"
    );
    let status = ok(&run(&commands, "/runner-status", "acme/api").await);
    assert!(
        status.contains("Silences (1)") && status.contains("rack move"),
        "{status}"
    );
    let other = ok(&run(&commands, "/runner-status", "acme/web").await);
    assert!(
        !other.contains("Silences"),
        "another scope's status: {other}"
    );

    let before = counts.counts().silence_calls;
    let removed = ok(&run(&commands, "/runner-unsilence", "acme/api").await);
    assert!(removed.contains(&silence.id), "{removed}");
    assert_eq!(
        counts.counts().silence_calls - before,
        2,
        "one list and one delete"
    );
    assert!(store.silences().await.expect("silences").is_empty());
    let again = ok(&run(&commands, "/runner-unsilence", "acme/api").await);
    assert!(again.contains("no silence set from Slack"), "{again}");
}

#[tokio::test]
async fn label_and_runner_silences_show_in_the_status_of_the_scope_they_touch() {
    let store = fleet().await;
    let (commands, _) = commands(Arc::new(store.clone()), vec![acme(), web()]);
    ok(&run(&commands, "/runner-silence", "label:self-hosted 30m").await);
    ok(&run(&commands, "/runner-silence", "deploy-1 1d").await);
    let api = ok(&run(&commands, "/runner-status", "acme/api").await);
    assert!(
        api.contains("Silences (1)") && api.contains("label:self-hosted"),
        "{api}"
    );
    let web_status = ok(&run(&commands, "/runner-status", "acme/web").await);
    assert!(web_status.contains("Silences (2)"), "{web_status}");
}

#[tokio::test]
async fn bad_silence_arguments_get_specific_answers_and_store_nothing() {
    let store = fleet().await;
    let (commands, counts) = commands(Arc::new(store.clone()), vec![acme()]);
    let cases = [
        ("", "Usage"),
        ("acme/api", "Usage"),
        ("acme/api soon", "not a duration"),
        ("acme/api 0s", "at most 30 days"),
        ("acme/api 90d", "at most 30 days"),
        ("label: 1h", "missing name"),
        ("team:x 1h", "unknown prefix"),
    ];
    for (text, expected) in cases {
        let answer = ok(&run(&commands, "/runner-silence", text).await);
        assert!(answer.contains(expected), "{text}: {answer}");
    }
    assert!(store.silences().await.expect("silences").is_empty());
    assert_eq!(
        counts.counts().silence_calls,
        0,
        "nothing reached the store"
    );
}

#[tokio::test]
async fn forged_silence_and_ack_requests_are_refused_without_touching_the_store() {
    let store = fleet().await;
    let (commands, counts) = commands(Arc::new(store.clone()), vec![acme()]);
    for (command, text) in [
        ("/runner-silence", "acme/api 2h"),
        ("/runner-ack", "build-1"),
    ] {
        let body = body(command, text);
        let mut headers = signed(&body, now());
        headers[2].1 = "v0=0000000000000000000000000000000000000000000000000000000000000000".into();
        let answer = commands.handle(&headers, &body, now()).await;
        assert_eq!(answer.status, 401, "{command}: {:?}", answer.body);
        let stale = signed(&body, now() - chrono::Duration::minutes(10));
        assert_eq!(commands.handle(&stale, &body, now()).await.status, 401);
    }
    assert_eq!(counts.counts().silence_calls, 0);
    assert_eq!(counts.counts().loads, 0);
    assert!(store.silences().await.expect("silences").is_empty());
}

#[tokio::test]
async fn ack_finds_the_scope_records_the_user_and_shows_in_status_and_history() {
    let store = fleet().await;
    let (commands, _) = commands(Arc::new(store.clone()), vec![acme(), web()]);
    let text = ok(&run(&commands, "/runner-ack", "deploy-1").await);
    assert!(
        text.contains("acknowledged outage #1 of deploy-1 in acme/web"),
        "{text}"
    );
    let outage = store
        .outages(&web(), "deploy-1", 1)
        .await
        .expect("history")
        .remove(0);
    let ack = outage.acknowledged.expect("acknowledged");
    assert_eq!((ack.by.as_str(), ack.at), ("U1", now()));
    let status = ok(&run(&commands, "/runner-status", "acme/web").await);
    assert!(status.contains("acknowledged by"), "{status}");
    let history = ok(&run(&commands, "/runner-history", "deploy-1").await);
    assert!(history.contains("acknowledged by"), "{history}");

    let none = ok(&run(&commands, "/runner-ack", "build-2").await);
    assert!(none.contains("no open outage"), "{none}");
    let explicit = ok(&run(&commands, "/runner-ack", "build-1 acme/api").await);
    assert!(explicit.contains("in acme/api"), "{explicit}");
}

#[tokio::test]
async fn configured_silences_are_listed_and_cannot_be_removed_from_slack() {
    let store = fleet().await;
    let configured: Silence = serde_json::from_str(
        r#"{"id": "weekly-drivers", "target": "label:gpu", "days": ["sat"], "start": "22:00",
            "length": "4h", "time_zone": "Europe/Berlin", "reason": "drivers"}"#,
    )
    .expect("valid");
    let counting = Arc::new(runner_monitor_core::testing::CountingStore::new(Arc::new(
        store.clone(),
    )));
    let commands = runner_monitor_slack::SlashCommands::new(counting, vec![acme()], secret())
        .expect("commands")
        .configured_silences(vec![configured]);
    let listed = ok(&run(&commands, "/runner-silences", "").await);
    assert!(
        listed.contains("weekly-drivers") && listed.contains("(configured)"),
        "{listed}"
    );
    let refused = ok(&run(&commands, "/runner-unsilence", "weekly-drivers").await);
    assert!(refused.contains("configuration file"), "{refused}");
}
