//! StatelyDB's protobuf messages (package `stately.db`, `stately.auth`, `stately.errors`), written
//! with prost's derive from the field numbers in the protocol reference: no protoc, no build script.
//!
//! Only the fields this crate uses are declared; prost skips unknown fields when decoding.

pub mod auth;
pub mod db;
pub mod errors;
pub mod transaction;
