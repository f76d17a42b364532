//! [`SqliteStore`]: the [`Store`] port on an SQLite file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use runner_monitor_core::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Receipt, Scope, ScopeState, Settlement, Silence, Store, StoreError, Timestamp, Version,
};

use crate::error::OpenError;
use crate::worker::Worker;
use crate::{commit, history, load, open, outbox, path, receipts, silences};

/// A durable [`Store`] in one SQLite file (WAL mode). Clones share one connection and its thread;
/// several stores (or processes) may open the same file: commits stay atomic and optimistic
/// across them.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: Arc<PathBuf>,
    worker: Arc<Worker>,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and its parent directory if missing and
    /// migrating the schema to the newest version. Blocking (it checks the file's integrity with
    /// `PRAGMA quick_check`): call it at start-up, or inside `spawn_blocking`.
    ///
    /// # Errors
    /// An [`OpenError`] naming the path and the problem: not an SQLite database, corrupt, written
    /// by a newer build, another application's database, or not openable. The file is left
    /// unchanged in every case but [`OpenError::Io`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        let path = path.as_ref();
        let conn = open::open_file(path)?;
        Self::start(conn, path)
    }

    /// A private in-memory database (for tests): nothing survives dropping the last clone.
    ///
    /// # Errors
    /// [`OpenError::Io`] if SQLite or the worker thread cannot start.
    pub fn open_in_memory() -> Result<Self, OpenError> {
        let conn = open::open_memory()?;
        Self::start(conn, Path::new(":memory:"))
    }

    /// The default database file: `$RUNNER_MONITOR_DB`, else
    /// `$XDG_STATE_HOME/runner-monitor/state.db`, else `~/.local/state/runner-monitor/state.db`;
    /// `None` when neither variable nor `$HOME` is set. [`open`](Self::open) creates the directory.
    pub fn default_path() -> Option<PathBuf> {
        path::default_path_from(|name| std::env::var_os(name))
    }

    /// The file this store uses (`:memory:` for [`open_in_memory`](Self::open_in_memory)).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn start(conn: rusqlite::Connection, path: &Path) -> Result<Self, OpenError> {
        let worker = Worker::start(conn, "runner-monitor-sqlite").map_err(|e| OpenError::Io {
            path: path.to_path_buf(),
            detail: format!("cannot start the worker thread: {e}"),
        })?;
        Ok(SqliteStore {
            path: Arc::new(path.to_path_buf()),
            worker: Arc::new(worker),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        let scope = scope.clone();
        self.worker.run(move |conn| load::load(conn, &scope)).await
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        let scope = scope.clone();
        let changes = changes.to_vec();
        self.worker
            .run(move |conn| commit::commit(conn, &scope, expected, &changes))
            .await
    }

    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.worker
            .run(move |conn| outbox::pending(conn, limit))
            .await
    }

    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        let request = request.clone();
        self.worker
            .run(move |conn| outbox::claim_due(conn, &request))
            .await
    }

    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        let id = id.clone();
        let claim = claim.clone();
        let settlement = settlement.clone();
        self.worker
            .run(move |conn| outbox::settle(conn, &id, &claim, &settlement))
            .await
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        let scope = scope.clone();
        let runner = runner.to_owned();
        self.worker
            .run(move |conn| history::outages(conn, &scope, &runner, limit))
            .await
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        self.worker.run(|conn| load::scopes(conn)).await
    }

    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        let receipt = receipt.clone();
        self.worker
            .run(move |conn| receipts::put(conn, &receipt))
            .await
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        let sink = sink.to_owned();
        let keys = incident_keys.to_vec();
        self.worker
            .run(move |conn| receipts::following(conn, &sink, &keys))
            .await
    }

    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        let scope = scope.clone();
        self.worker
            .run(move |conn| history::between(conn, &scope, from, to))
            .await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        let silence = silence.clone();
        self.worker
            .run(move |conn| silences::put(conn, &silence))
            .await
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.worker
            .run(move |conn| silences::delete(conn, &id))
            .await
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        self.worker.run(|conn| silences::list(conn)).await
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        let scope = scope.clone();
        let runner = runner.to_owned();
        let ack = ack.clone();
        self.worker
            .run(move |conn| silences::acknowledge(conn, &scope, &runner, &ack))
            .await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        self.worker
            .run(move |conn| outbox::wake_postponed(conn, until, now))
            .await
    }
}
