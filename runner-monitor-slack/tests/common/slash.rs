//! Helpers for slash-command tests: a seeded MemoryStore, signed requests, a failing store.

use std::sync::Arc;

use async_trait::async_trait;
use runner_monitor_core::testing::{CountingStore, at, runner_record};
use runner_monitor_core::{
    Change, Delivery, DeliveryId, Outage, Receipt, Resolution, RunnerRecord, RunnerStatus, Scope,
    ScopeRecord, ScopeState, Settlement, Store, StoreError, Timestamp, Version,
};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::signature::sign;
use runner_monitor_slack::{SlashCommands, SlashResponse};
use secrecy::SecretString;
use serde_json::Value;

pub const SECRET: &str = "test-signing-secret-0123456789";

pub fn secret() -> SecretString {
    SecretString::from(SECRET)
}

/// "Now" in these tests: one day after the fixtures' epoch.
pub fn now() -> Timestamp {
    at(86_400)
}

/// A form body as Slack sends it.
pub fn body(command: &str, text: &str) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("token", "legacy-token")
        .append_pair("team_id", "T1")
        .append_pair("channel_id", "C1")
        .append_pair("user_id", "U1")
        .append_pair("command", command)
        .append_pair("text", text)
        .append_pair("response_url", "https://hooks.slack.com/commands/T1/1/abc")
        .finish()
        .into_bytes()
}

/// Headers Slack would send for `body` at `now`.
pub fn signed(body: &[u8], now: Timestamp) -> Vec<(String, String)> {
    let ts = now.timestamp().to_string();
    vec![
        (
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
        ("X-Slack-Signature".to_owned(), sign(&secret(), &ts, body)),
    ]
}

/// Runs `command text` through `commands`, signed, at `now()`.
pub async fn run(commands: &SlashCommands, command: &str, text: &str) -> SlashResponse {
    let body = body(command, text);
    commands.handle(&signed(&body, now()), &body, now()).await
}

/// The user-visible text of an answer.
pub fn plain(response: &SlashResponse) -> String {
    runner_monitor_slack::blocks::render_plain(&response.body)
}

/// A runner record with a status, healthy/unhealthy since `since`.
pub fn runner(name: &str, status: RunnerStatus, since: Timestamp) -> RunnerRecord {
    let mut record = runner_record(name, 1, status, at(0));
    record.since = since;
    record.last_seen_at = if status.is_healthy() { now() } else { since };
    record
}

/// An outage of `runner` (`id`), from `start` to `end` (open when `None`).
pub fn outage(runner: &str, id: u64, start: Timestamp, end: Option<Timestamp>) -> Outage {
    let mut outage = runner_monitor_core::testing::outage(runner, id, start);
    outage.resolved_at = end;
    outage.resolution = end.map(|_| Resolution::Recovered(RunnerStatus::Idle));
    outage
}

/// Commits `runners` and `outages` (in order) to `scope`.
pub async fn seed(
    store: &MemoryStore,
    scope: &Scope,
    record: ScopeRecord,
    runners: Vec<RunnerRecord>,
    outages: Vec<Outage>,
) {
    let mut changes = vec![Change::PutScope(record)];
    changes.extend(runners.into_iter().map(Change::PutRunner));
    for outage in outages {
        let resolved = outage.resolved_at.zip(outage.resolution);
        let mut open = outage.clone();
        open.resolved_at = None;
        open.resolution = None;
        changes.push(Change::OpenOutage(open));
        if let Some((resolved_at, resolution)) = resolved {
            changes.push(Change::ResolveOutage {
                runner: outage.runner.clone(),
                id: outage.id,
                resolved_at,
                resolution,
            });
        }
    }
    let version = store.load(scope).await.expect("load").version;
    store
        .commit(scope, version, &changes)
        .await
        .expect("seed commit");
}

/// A scope record observed successfully a minute before `now()`.
pub fn observed_record() -> ScopeRecord {
    ScopeRecord {
        last_success_at: Some(now() - chrono::Duration::seconds(60)),
        ..ScopeRecord::default()
    }
}

/// `SlashCommands` over a counting wrapper of `store`.
pub fn commands(store: Arc<dyn Store>, scopes: Vec<Scope>) -> (SlashCommands, Arc<CountingStore>) {
    let counting = Arc::new(CountingStore::new(store));
    let commands = SlashCommands::new(counting.clone(), scopes, secret()).expect("commands");
    (commands, counting)
}

pub fn blocks(response: &SlashResponse) -> &Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    response.body["blocks"].as_array().unwrap_or(&EMPTY)
}

/// A store whose every call fails with a message that must never reach a user.
#[derive(Debug)]
pub struct FailingStore;

pub const INTERNAL_DETAIL: &str = "db-internal.example:5432 password=hunter2";

fn fail<T>() -> Result<T, StoreError> {
    Err(StoreError::Unavailable {
        message: INTERNAL_DETAIL.to_owned(),
    })
}

#[async_trait]
impl Store for FailingStore {
    async fn load(&self, _: &Scope) -> Result<ScopeState, StoreError> {
        fail()
    }
    async fn commit(&self, _: &Scope, _: Version, _: &[Change]) -> Result<Receipt, StoreError> {
        fail()
    }
    async fn pending_deliveries(&self, _: usize) -> Result<Vec<Delivery>, StoreError> {
        fail()
    }
    async fn claim_due(
        &self,
        _: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<Delivery>, StoreError> {
        fail()
    }
    async fn settle_delivery(
        &self,
        _: &DeliveryId,
        _: &runner_monitor_core::Claim,
        _: &Settlement,
    ) -> Result<(), StoreError> {
        fail()
    }
    async fn outages(&self, _: &Scope, _: &str, _: usize) -> Result<Vec<Outage>, StoreError> {
        fail()
    }
    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        fail()
    }

    async fn wake_postponed(&self, _: Timestamp, _: Timestamp) -> Result<usize, StoreError> {
        fail()
    }
}

/// A store that fails every read of one scope (with [`INTERNAL_DETAIL`]) and passes the rest on.
#[derive(Debug)]
pub struct FailOneScope {
    pub inner: Arc<dyn Store>,
    pub failing: Scope,
}

#[async_trait]
impl Store for FailOneScope {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        if *scope == self.failing {
            return fail();
        }
        self.inner.load(scope).await
    }
    async fn commit(&self, s: &Scope, v: Version, c: &[Change]) -> Result<Receipt, StoreError> {
        self.inner.commit(s, v, c).await
    }
    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.pending_deliveries(limit).await
    }
    async fn claim_due(
        &self,
        request: &runner_monitor_core::ClaimRequest,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.inner.claim_due(request).await
    }
    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &runner_monitor_core::Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        self.inner.settle_delivery(id, claim, settlement).await
    }
    async fn outages(&self, s: &Scope, r: &str, n: usize) -> Result<Vec<Outage>, StoreError> {
        if *s == self.failing {
            return fail();
        }
        self.inner.outages(s, r, n).await
    }
    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.inner.scopes().await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.inner.wake_postponed(until, now).await
    }
}
