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

/// A delivery of acme/api held back by a silence until `until`, as the dispatcher leaves it.
async fn held_back(store: &MemoryStore, until: runner_monitor_core::Timestamp) {
    use runner_monitor_core::testing::delivery_notification;
    use runner_monitor_core::{Change, ClaimRequest, Settlement, SinkFilter};
    let version = store.load(&acme()).await.expect("load").version;
    let notification = delivery_notification(&acme(), "build-1", 1, now());
    store
        .commit(
            &acme(),
            version,
            &[Change::Enqueue {
                sink: "slack".into(),
                notification,
            }],
        )
        .await
        .expect("enqueue");
    let claimed = store
        .claim_due(&ClaimRequest {
            holder: "dispatcher".into(),
            now: now(),
            until: now() + chrono::Duration::seconds(30),
            sinks: SinkFilter::Only(vec!["slack".into()]),
            created_before: None,
            limit: 10,
        })
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let claim = claimed[0].claim.clone().expect("claim");
    store
        .settle_delivery(
            &claimed[0].id,
            &claim,
            &Settlement::Postponed { at: now(), until },
        )
        .await
        .expect("postpone");
}

async fn due_at(store: &MemoryStore) -> Vec<runner_monitor_core::Timestamp> {
    store
        .pending_deliveries(10)
        .await
        .expect("pending")
        .iter()
        .map(|d| d.next_attempt_at)
        .collect()
}

#[tokio::test]
async fn unsilence_releases_what_the_silence_held_back() {
    let store = fleet().await;
    let (commands, counts) = commands(Arc::new(store.clone()), vec![acme(), web()]);
    ok(&run(&commands, "/runner-silence", "acme/api 2h rack move").await);
    let end = now() + chrono::Duration::hours(2);
    held_back(&store, end).await;
    assert_eq!(
        due_at(&store).await,
        [end],
        "held back to the silence's end"
    );

    let text = ok(&run(&commands, "/runner-unsilence", "acme/api").await);
    assert_eq!(
        due_at(&store).await,
        [now()],
        "due now: the next dispatch sends it"
    );
    assert_eq!(
        counts.counts().wakes,
        1,
        "one wake for the one removed silence"
    );
    assert!(
        text.contains("held back by it go out with the next dispatch"),
        "{text}"
    );
}

#[tokio::test]
async fn unsilence_says_when_the_store_cannot_release_what_was_held_back() {
    let store = fleet().await;
    let (commands, _) = commands(Arc::new(NoWake(store.clone())), vec![acme(), web()]);
    ok(&run(&commands, "/runner-silence", "acme/api 2h rack move").await);
    let end = now() + chrono::Duration::hours(2);
    held_back(&store, end).await;

    let text = ok(&run(&commands, "/runner-unsilence", "acme/api").await);
    assert!(
        store.silences().await.expect("silences").is_empty(),
        "removed"
    );
    assert_eq!(due_at(&store).await, [end], "still due at the original end");
    assert!(
        text.contains("removed")
            && text.contains("could not be released now")
            && text.contains("go out at the silence's original end"),
        "{text}"
    );
    assert!(!text.contains("next dispatch"), "no false promise: {text}");
}

#[tokio::test]
async fn unsilencing_a_weekly_silence_not_in_force_wakes_nothing() {
    use runner_monitor_slack::commands::actions;
    let store = fleet().await;
    let weekly: Silence = serde_json::from_value(serde_json::json!({
        "id": "weekly-api", "target": "acme/api", "days": ["sat"], "start": "22:00",
        "length": "1h", "time_zone": "UTC", "reason": "", "created_by": "U1",
    }))
    .expect("weekly silence");
    store.put_silence(&weekly).await.expect("put");
    // now() is Friday 2026-01-02 00:00 UTC: not in force.
    assert!(!weekly.is_active(now()));
    assert_eq!(actions::held_until(&weekly, now()), None);
    let saturday = now() + chrono::Duration::hours(46) + chrono::Duration::minutes(30);
    assert_eq!(
        actions::held_until(&weekly, saturday),
        Some(now() + chrono::Duration::hours(47)),
        "in force: the end of this occurrence"
    );
    let counting = runner_monitor_core::testing::CountingStore::new(Arc::new(store.clone()));
    let done = actions::unsilence(&counting, "weekly-api", now())
        .await
        .expect("unsilence");
    assert_eq!((done.removed.len(), done.woken), (1, 0));
    assert_eq!(counting.counts().wakes, 0, "nothing held by it: no wake");
}

/// A MemoryStore whose `wake_postponed` is the trait's default (it fails).
#[derive(Debug)]
struct NoWake(MemoryStore);

#[async_trait::async_trait]
impl Store for NoWake {
    async fn load(
        &self,
        scope: &Scope,
    ) -> Result<runner_monitor_core::ScopeState, runner_monitor_core::StoreError> {
        self.0.load(scope).await
    }
    async fn commit(
        &self,
        scope: &Scope,
        expected: u64,
        changes: &[runner_monitor_core::Change],
    ) -> Result<runner_monitor_core::Receipt, runner_monitor_core::StoreError> {
        self.0.commit(scope, expected, changes).await
    }
    async fn pending_deliveries(
        &self,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.0.pending_deliveries(limit).await
    }
    async fn claim_due(
        &self,
        request: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<runner_monitor_core::Delivery>, runner_monitor_core::StoreError> {
        self.0.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &runner_monitor_core::DeliveryId,
        claim: &runner_monitor_core::Claim,
        settlement: &runner_monitor_core::Settlement,
    ) -> Result<(), runner_monitor_core::StoreError> {
        self.0.settle_delivery(id, claim, settlement).await
    }
    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<runner_monitor_core::Outage>, runner_monitor_core::StoreError> {
        self.0.outages(scope, runner, limit).await
    }
    async fn scopes(&self) -> Result<Vec<Scope>, runner_monitor_core::StoreError> {
        self.0.scopes().await
    }
    async fn put_silence(&self, silence: &Silence) -> Result<(), runner_monitor_core::StoreError> {
        self.0.put_silence(silence).await
    }
    async fn delete_silence(&self, id: &str) -> Result<bool, runner_monitor_core::StoreError> {
        self.0.delete_silence(id).await
    }
    async fn silences(&self) -> Result<Vec<Silence>, runner_monitor_core::StoreError> {
        self.0.silences().await
    }
}
