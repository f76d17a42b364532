//! The emulator's lifecycle: builder, listener, connections, shutdown, and test accessors.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::auth::Auth;
use super::clock::{Clock, SystemClock};
use super::data::{Db, DecodedPut, SeqAlloc, Write, parse_key};
use super::error::{Code, ConnectError};
use super::faults::Faults;
use super::keys::Namespaces;
use super::proto::{Item, PutItem, item};
use super::schema::{Schema, SchemaError, runner_monitor_schema};
use super::services;
use super::stats::{Counters, Stats};

/// Starting the emulator failed, or a direct write was refused.
#[derive(Debug)]
pub enum EmulatorError {
    /// Binding the listener failed.
    Io(std::io::Error),
    /// The schema is inconsistent.
    Schema(SchemaError),
    /// A direct write ([`Emulator::insert`]) was refused.
    Refused(ConnectError),
}

impl std::fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmulatorError::Io(e) => write!(f, "emulator listener: {e}"),
            EmulatorError::Schema(e) => e.fmt(f),
            EmulatorError::Refused(e) => write!(f, "emulator write refused: {e}"),
        }
    }
}

impl std::error::Error for EmulatorError {}

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub schema: Schema,
    pub kinds: Namespaces,
    pub store_id: u64,
    pub db: Mutex<Db>,
    pub auth: Auth,
    pub faults: Faults,
    pub counters: Counters,
    pub clock: Arc<dyn Clock>,
    pub page_cap: Option<u32>,
    pub chunk: usize,
    pub next_txn: AtomicU64,
    pub max_writes: usize,
}

impl Shared {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn db(&self) -> MutexGuard<'_, Db> {
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses a request or transaction writing more than the configured maximum.
    pub fn check_writes(&self, writes: usize) -> Result<(), ConnectError> {
        if writes > self.max_writes {
            return Err(ConnectError::invalid(format!(
                "{writes} puts and deletes exceed the limit of {} per request or transaction",
                self.max_writes
            )));
        }
        Ok(())
    }

    /// Checks a request's store id, schema id and schema version.
    pub fn check_target(
        &self,
        store_id: u64,
        schema_id: u64,
        version: u32,
    ) -> Result<(), ConnectError> {
        if store_id != self.store_id {
            return Err(ConnectError::stately(
                Code::NotFound,
                "StoreNotFound",
                format!("store {store_id} does not exist"),
            ));
        }
        if schema_id != self.schema.schema_id {
            return Err(ConnectError::invalid(format!(
                "schema id {schema_id} is not this store's schema ({})",
                self.schema.schema_id
            )));
        }
        if version == 0 || version > self.schema.version {
            return Err(ConnectError::stately(
                Code::FailedPrecondition,
                "SchemaVersionMismatch",
                format!(
                    "schema version {version} is not a published version of this store's schema (1 to {})",
                    self.schema.version
                ),
            ));
        }
        Ok(())
    }
}

/// Configures an [`Emulator`].
#[derive(Debug)]
pub struct EmulatorBuilder {
    schema: Schema,
    store_id: u64,
    access_keys: HashSet<String>,
    token_ttl: Duration,
    require_auth: bool,
    clock: Arc<dyn Clock>,
    page_cap: Option<u32>,
    chunk: usize,
    max_writes: usize,
    listen: std::net::SocketAddr,
}

/// Default for [`EmulatorBuilder::max_writes`]: 100 puts and deletes per request or transaction,
/// the limit of DynamoDB's `TransactWriteItems`, which StatelyDB is built on (not published by
/// StatelyDB: see the README's real-service checklist).
pub const DEFAULT_MAX_WRITES: usize = 100;

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            schema: runner_monitor_schema(),
            store_id: 1,
            access_keys: HashSet::new(),
            token_ttl: Duration::from_secs(3600),
            require_auth: false,
            clock: Arc::new(SystemClock),
            page_cap: None,
            chunk: 25,
            max_writes: DEFAULT_MAX_WRITES,
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl EmulatorBuilder {
    /// The schema (default: [`runner_monitor_schema`]).
    #[must_use]
    pub fn schema(mut self, schema: Schema) -> Self {
        self.schema = schema;
        self
    }

    /// The store id requests must carry (default 1).
    #[must_use]
    pub fn store_id(mut self, store_id: u64) -> Self {
        self.store_id = store_id;
        self
    }

    /// Accepts `key` in `GetAuthToken`.
    #[must_use]
    pub fn access_key(mut self, key: &str) -> Self {
        self.access_keys.insert(key.to_owned());
        self
    }

    /// Lifetime of issued tokens (default one hour; `expires_in_s` is its whole seconds).
    #[must_use]
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Requires a valid bearer token on database calls (default off).
    #[must_use]
    pub fn require_auth(mut self, require: bool) -> Self {
        self.require_auth = require;
        self
    }

    /// The clock for metadata, TTL and token expiry (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The address to listen on (default `127.0.0.1:0`, a free port).
    #[must_use]
    pub fn listen(mut self, addr: std::net::SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Refuses requests and transactions with more than `max` puts and deletes
    /// (default [`DEFAULT_MAX_WRITES`]) with `invalid_argument`.
    #[must_use]
    pub fn max_writes(mut self, max: usize) -> Self {
        self.max_writes = max.max(1);
        self
    }

    /// Caps every list page at `cap` items whatever the client's limit, as StatelyDB may.
    #[must_use]
    pub fn page_cap(mut self, cap: u32) -> Self {
        self.page_cap = Some(cap.max(1));
        self
    }

    /// Items per `ListPartialResult` message (default 25).
    #[must_use]
    pub fn stream_chunk(mut self, items: usize) -> Self {
        self.chunk = items.max(1);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving (inside a Tokio runtime).
    ///
    /// # Errors
    /// [`EmulatorError::Schema`] for an inconsistent schema, [`EmulatorError::Io`] when binding
    /// fails.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        let kinds = self.schema.validate().map_err(EmulatorError::Schema)?;
        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(EmulatorError::Io)?;
        let addr = listener.local_addr().map_err(EmulatorError::Io)?;
        let shared = Arc::new(Shared {
            schema: self.schema,
            kinds,
            store_id: self.store_id,
            db: Mutex::new(Db::default()),
            auth: Auth::new(self.access_keys, self.token_ttl, self.require_auth),
            faults: Faults::default(),
            counters: Counters::default(),
            clock: self.clock,
            page_cap: self.page_cap,
            chunk: self.chunk,
            next_txn: AtomicU64::new(1),
            max_writes: self.max_writes,
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(Emulator {
            addr,
            shared,
            task: Some(task),
        })
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    // Dropping the set (when this task is aborted) aborts every connection.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req: axum::http::Request<hyper::body::Incoming>| {
                        let shared = Arc::clone(&shared);
                        async move {
                            Ok::<_, Infallible>(services::dispatch(shared, req.map(Body::new)).await)
                        }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// A stored item, as seen by [`Emulator::item`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItemView {
    /// Item type.
    pub item_type: String,
    /// Payload as stored.
    pub payload: Bytes,
    /// `createdAtTime` (ms).
    pub created_ms: i64,
    /// `lastModifiedAtTime` (ms).
    pub modified_ms: i64,
    /// Expiry (ms), if any.
    pub expires_ms: Option<i64>,
}

/// A running emulator; stops when dropped or on [`Emulator::shutdown`].
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Emulator {
    /// Starts an emulator with the default settings (runner-monitor's schema, store id 1, no
    /// auth, system clock).
    ///
    /// # Errors
    /// See [`EmulatorBuilder::start`].
    pub async fn start() -> Result<Emulator, EmulatorError> {
        EmulatorBuilder::default().start().await
    }

    /// A builder.
    #[must_use]
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Store id requests must carry.
    #[must_use]
    pub fn store_id(&self) -> u64 {
        self.shared.store_id
    }

    /// Schema id requests must carry.
    #[must_use]
    pub fn schema_id(&self) -> u64 {
        self.shared.schema.schema_id
    }

    /// Schema version requests must carry.
    #[must_use]
    pub fn schema_version(&self) -> u32 {
        self.shared.schema.version
    }

    /// Fault injection controls.
    #[must_use]
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Counters since start or the last [`Emulator::reset_stats`].
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// Makes every issued token expired (the next DB call gets `unauthenticated`).
    pub fn expire_tokens(&self) {
        self.shared.auth.expire_all();
    }

    /// Revokes every issued token.
    pub fn revoke_tokens(&self) {
        self.shared.auth.revoke_all();
    }

    /// Tokens issued by `GetAuthToken` so far.
    #[must_use]
    pub fn tokens_issued(&self) -> u64 {
        self.shared.auth.issued()
    }

    /// Key paths of every live item, in key order.
    #[must_use]
    pub fn key_paths(&self) -> Vec<String> {
        let now = self.shared.now();
        let db = self.shared.db();
        db.items
            .iter()
            .filter(|(_, v)| v.visible(now))
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// The live item at `key_path`, if any.
    #[must_use]
    pub fn item(&self, key_path: &str) -> Option<StoredItemView> {
        let key = parse_key(key_path, &self.shared.kinds).ok()?;
        let now = self.shared.now();
        let db = self.shared.db();
        db.get(&key, now).map(|i| StoredItemView {
            item_type: i.item_type.clone(),
            payload: i.payload.clone(),
            created_ms: i.created_ms,
            modified_ms: i.modified_ms,
            expires_ms: i.expires_ms,
        })
    }

    /// Writes an item directly (as a Put would, not counted), e.g. to seed data shaped like the
    /// original monitor's. Returns its key path.
    ///
    /// # Errors
    /// [`EmulatorError::Refused`] when the schema cannot place the item.
    pub fn insert(&self, item_type: &str, payload: &[u8]) -> Result<String, EmulatorError> {
        let put = PutItem {
            item: Some(Item {
                item_type: item_type.to_owned(),
                payload: Some(item::Payload::Proto(Bytes::copy_from_slice(payload))),
            }),
            overwrite_metadata_timestamps: false,
            must_not_exist: false,
        };
        let now = self.shared.now();
        let mut db = self.shared.db();
        let mut seqs = SeqAlloc::default();
        let mut d =
            DecodedPut::decode(&self.shared.schema, &put).map_err(EmulatorError::Refused)?;
        seqs.assign(&db, &mut d).map_err(EmulatorError::Refused)?;
        let key = d.key().to_string();
        db.apply(vec![Write::Put(d)], &seqs, now)
            .map_err(EmulatorError::Refused)?;
        Ok(key)
    }

    /// Stops serving and closes every connection.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // The accept loop's only outcome is the expected cancellation.
            let _ = task.await;
        }
    }
}
