//! An in-process StatelyDB look-alike for tests and benches (feature `emulator`).
//!
//! It serves StatelyDB's Connect API (binary protobuf) over HTTP/1.1 and h2c on `127.0.0.1`:
//! `stately.auth.AuthService/GetAuthToken` and `stately.db.DatabaseService/{Put, Get, Delete,
//! BeginList, ContinueList, Transaction}`, with StatelyDB's semantics for a schema declared as
//! data ([`runner_monitor_schema`] is this project's): key paths derived from item fields,
//! ordered listing with continuation tokens, sequence ids, metadata timestamps, TTL,
//! `must_not_exist`, optimistic transactions with ConcurrentModification, and Connect errors with
//! `StatelyErrorDetails`. Faults can be injected through [`Emulator::faults`].
//!
//! It is written from the protocol reference, independently of this crate's client, so that it
//! checks the client rather than mirroring it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), runner_monitor_stately_emulator::EmulatorError> {
//! use runner_monitor_stately_emulator::Emulator;
//! let emu = Emulator::start().await?;
//! let endpoint = emu.endpoint(); // "http://127.0.0.1:PORT"
//! # let _ = endpoint; Ok(()) }
//! ```

mod auth;
mod clock;
mod connect;
mod data;
mod error;
mod faults;
mod keys;
mod list;
mod proto;
mod schema;
mod server;
mod services;
mod stats;
mod txn;
mod wire;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Code, ConnectError};
pub use faults::{Fault, Faults};
pub use keys::escape as escape_key_id;
pub use schema::{
    ItemType, KeyKind, RUNNER_MONITOR_SCHEMA_ID, Schema, SchemaError, Ttl, original_schema,
    runner_monitor_schema,
};
pub use server::{DEFAULT_MAX_WRITES, Emulator, EmulatorBuilder, EmulatorError, StoredItemView};
pub use stats::{Method, Stats};
