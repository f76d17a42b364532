//! A small helper shared by the writers.

use runner_monitor_core::StoreError;
use rusqlite::Connection;

use crate::error::Context;

/// Runs a cached statement; returns the number of rows changed.
pub(crate) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    context: &str,
) -> Result<usize, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .context(context)
}
