//! # runner-monitor-sqlite
//!
//! [`SqliteStore`]: the durable, embedded [`Store`](runner_monitor_core::Store), the daemon's
//! default. One SQLite file (WAL mode, bundled SQLite) keeps every scope's runners, outage history
//! and the delivery outbox, so a restart forgets no outage, repeats no alert and drops no pending
//! notification.
//!
//! - `commit` is one `BEGIN IMMEDIATE` transaction: version check (stale -> `Conflict`), the shared
//!   outage rules ([`ScopeState::apply`](runner_monitor_core::ScopeState::apply)), the writes.
//! - Blocking SQLite work runs on one dedicated thread per store (see `worker.rs` for why).
//! - The schema is versioned with `PRAGMA user_version`; opening a file that is not a database, is
//!   corrupt or is newer than this build fails with an [`OpenError`] and changes nothing.
//!
//! # Examples
//! ```
//! use runner_monitor_core::{Scope, Store};
//! use runner_monitor_sqlite::SqliteStore;
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::open(dir.path().join("state.db")).unwrap();
//! let state = store.load(&"acme/api".parse::<Scope>().unwrap()).await.unwrap();
//! assert_eq!(state.version, 0);
//! # });
//! ```

mod codec;
mod commit;
mod error;
mod history;
mod load;
mod open;
mod outbox;
mod path;
mod queries;
mod receipts;
mod schema;
mod silences;
mod sql;
mod store;
mod time;
mod worker;

pub use error::OpenError;
pub use store::SqliteStore;
