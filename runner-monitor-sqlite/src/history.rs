//! Outage history: a runner's outages newest first, and expiry of old resolved history.

use runner_monitor_core::{Outage, Scope, StoreError, Timestamp};
use rusqlite::{Connection, params};

use crate::codec::outage_from_row;
use crate::error::Context;
use crate::queries;
use crate::sql::execute;
use crate::time;

/// `runner`'s outages in `scope` (open and resolved), newest first, at most `limit`.
pub(crate) fn outages(
    conn: &Connection,
    scope: &Scope,
    runner: &str,
    limit: usize,
) -> Result<Vec<Outage>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn
        .prepare_cached(queries::HISTORY)
        .context("reading history")?;
    let mut rows = statement
        .query(params![scope.to_string(), runner, limit])
        .context("reading history")?;
    let mut outages = Vec::new();
    while let Some(row) = rows.next().context("reading history")? {
        outages.push(outage_from_row(row)?);
    }
    Ok(outages)
}

/// `scope`'s outages overlapping `[from, to)`, by runner then id: one indexed range of the scope.
pub(crate) fn between(
    conn: &Connection,
    scope: &Scope,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Outage>, StoreError> {
    if from >= to {
        return Ok(Vec::new());
    }
    let mut statement = conn
        .prepare_cached(queries::BETWEEN)
        .context("reading outages in a range")?;
    let mut rows = statement
        .query(params![
            scope.to_string(),
            time::encode(from)?,
            time::encode(to)?
        ])
        .context("reading outages in a range")?;
    let mut outages = Vec::new();
    while let Some(row) = rows.next().context("reading outages in a range")? {
        outages.push(outage_from_row(row)?);
    }
    Ok(outages)
}

/// Drops `scope`'s outages resolved before `before` and its deliveries settled before `before`.
/// Open outages, pending deliveries and outage numbering are never touched.
pub(crate) fn expire(conn: &Connection, scope: &str, before: Timestamp) -> Result<(), StoreError> {
    let before = time::encode(before)?;
    execute(
        conn,
        queries::EXPIRE_OUTAGES,
        params![scope, before],
        "expiring outages",
    )?;
    execute(
        conn,
        queries::EXPIRE_DELIVERIES,
        params![scope, before],
        "expiring deliveries",
    )?;
    Ok(())
}
