//! Loading a scope's state: one read transaction of at most four indexed queries, no writes.

use std::collections::BTreeMap;

use runner_monitor_core::{Scope, ScopeRecord, ScopeState, StoreError, Version};
use rusqlite::{Connection, OptionalExtension, params};

use crate::codec::{from_json, outage_from_row, runner_from_row, uint};
use crate::error::Context;
use crate::queries;

/// The scope row: version, record and the last delivery sequence number.
pub(crate) struct ScopeRow {
    pub(crate) version: Version,
    pub(crate) record: ScopeRecord,
    pub(crate) last_delivery_seq: u64,
}

/// Reads the scope row, `None` for a scope never committed.
pub(crate) fn scope_row(conn: &Connection, scope: &str) -> Result<Option<ScopeRow>, StoreError> {
    let mut statement = conn
        .prepare_cached(queries::SCOPE_ROW)
        .context("loading a scope")?;
    let row = statement
        .query_row(params![scope], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()
        .context("loading a scope")?;
    row.map(|(version, record, seq)| {
        Ok(ScopeRow {
            version: uint(version, "version")?,
            record: from_json(&record, "scope record")?,
            last_delivery_seq: uint(seq, "delivery sequence")?,
        })
    })
    .transpose()
}

/// Loads a scope's state in one read transaction (a consistent snapshot).
pub(crate) fn load(conn: &mut Connection, scope: &Scope) -> Result<ScopeState, StoreError> {
    let tx = conn.transaction().context("loading a scope")?;
    let state = load_in(&tx, scope, true)?;
    tx.finish().context("loading a scope")?;
    Ok(state)
}

/// Loads a scope's state inside the caller's transaction. Without `with_runners` the runner map
/// stays empty (a commit validates outage rules, which do not depend on runner records).
pub(crate) fn load_in(
    conn: &Connection,
    scope: &Scope,
    with_runners: bool,
) -> Result<ScopeState, StoreError> {
    let id = scope.to_string();
    let mut state = ScopeState::empty(scope.clone());
    let Some(row) = scope_row(conn, &id)? else {
        return Ok(state);
    };
    state.version = row.version;
    state.record = row.record;
    if with_runners {
        state.runners = runners(conn, &id)?;
    }
    state.open_outages = open_outages(conn, &id)?;
    state.last_outage_ids = outage_counters(conn, &id)?;
    Ok(state)
}

fn runners(
    conn: &Connection,
    scope: &str,
) -> Result<BTreeMap<String, runner_monitor_core::RunnerRecord>, StoreError> {
    let mut statement = conn
        .prepare_cached(queries::RUNNERS)
        .context("loading runners")?;
    let mut rows = statement.query(params![scope]).context("loading runners")?;
    let mut runners = BTreeMap::new();
    while let Some(row) = rows.next().context("loading runners")? {
        let runner = runner_from_row(row)?;
        runners.insert(runner.name.clone(), runner);
    }
    Ok(runners)
}

pub(crate) fn open_outages(
    conn: &Connection,
    scope: &str,
) -> Result<BTreeMap<String, runner_monitor_core::Outage>, StoreError> {
    let mut statement = conn
        .prepare_cached(queries::OPEN_OUTAGES)
        .context("loading outages")?;
    let mut rows = statement.query(params![scope]).context("loading outages")?;
    let mut outages = BTreeMap::new();
    while let Some(row) = rows.next().context("loading outages")? {
        let outage = outage_from_row(row)?;
        outages.insert(outage.runner.clone(), outage);
    }
    Ok(outages)
}

pub(crate) fn outage_counters(
    conn: &Connection,
    scope: &str,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut statement = conn
        .prepare_cached(queries::OUTAGE_COUNTERS)
        .context("loading outage counters")?;
    let mut rows = statement
        .query(params![scope])
        .context("loading outage counters")?;
    let mut counters = BTreeMap::new();
    while let Some(row) = rows.next().context("loading outage counters")? {
        let runner: String = row.get(0).context("loading outage counters")?;
        let last: i64 = row.get(1).context("loading outage counters")?;
        counters.insert(runner, uint(last, "outage counter")?);
    }
    Ok(counters)
}

/// Every committed scope, sorted by id.
pub(crate) fn scopes(conn: &Connection) -> Result<Vec<Scope>, StoreError> {
    let mut statement = conn
        .prepare_cached(queries::SCOPES)
        .context("listing scopes")?;
    let ids = statement
        .query_map([], |row| row.get::<_, String>(0))
        .context("listing scopes")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .context("listing scopes")?;
    ids.iter()
        .map(|id| {
            id.parse::<Scope>().map_err(|e| {
                crate::error::corrupt(format!("stored scope `{id}` is unreadable: {e}"))
            })
        })
        .collect()
}
