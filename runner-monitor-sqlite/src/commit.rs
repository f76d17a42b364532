//! `commit`: one `BEGIN IMMEDIATE` transaction that checks the version, validates the changes with
//! the shared rules ([`ScopeState::apply`]) and writes them, or changes nothing.

use runner_monitor_core::{
    Change, Outage, Receipt, RunnerRecord, Scope, ScopeRecord, ScopeState, StoreError, Version,
};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use crate::codec::{int, resolution_columns, to_json};
use crate::error::{Context, invalid};
use crate::load::{open_outages, outage_counters, scope_row};
use crate::sql::execute;
use crate::{history, outbox, time};

/// Applies `changes` to `scope` if it is still at `expected`.
pub(crate) fn commit(
    conn: &mut Connection,
    scope: &Scope,
    expected: Version,
    changes: &[Change],
) -> Result<Receipt, StoreError> {
    // IMMEDIATE takes the write lock up front (waiting up to busy_timeout for other processes), so
    // the version read below cannot be overtaken before this transaction commits.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("starting a commit")?;
    let id = scope.to_string();
    let row = scope_row(&tx, &id)?;
    let actual = row.as_ref().map_or(0, |row| row.version);
    if actual != expected {
        return Err(StoreError::Conflict {
            scope: scope.clone(),
            expected,
            actual,
        });
    }
    validate(&tx, scope, row.is_some(), changes)?;
    let mut seq = match &row {
        Some(row) => row.last_delivery_seq,
        None => {
            insert_scope(&tx, &id)?;
            0
        }
    };
    for change in changes {
        write(&tx, &id, change, &mut seq)?;
    }
    let version = expected + 1;
    execute(
        &tx,
        "UPDATE scopes SET version = ?2, last_delivery_seq = ?3 WHERE scope = ?1",
        params![id, int(version, "version")?, int(seq, "delivery sequence")?],
        "committing",
    )?;
    tx.commit().context("committing")?;
    Ok(Receipt { version })
}

/// Checks the outage rules against the stored open outages and numbering (runner records play no
/// part in them, so they are not read).
fn validate(
    tx: &Transaction<'_>,
    scope: &Scope,
    exists: bool,
    changes: &[Change],
) -> Result<(), StoreError> {
    let touches_outages = changes.iter().any(|change| {
        matches!(
            change,
            Change::OpenOutage(_) | Change::ResolveOutage { .. } | Change::RecordReminder { .. }
        )
    });
    let mut state = ScopeState::empty(scope.clone());
    if exists && touches_outages {
        let id = scope.to_string();
        state.open_outages = open_outages(tx, &id)?;
        state.last_outage_ids = outage_counters(tx, &id)?;
    }
    state.apply(changes)
}

fn insert_scope(tx: &Transaction<'_>, id: &str) -> Result<(), StoreError> {
    let record = to_json(&ScopeRecord::default(), "scope record")?;
    execute(
        tx,
        "INSERT INTO scopes (scope, version, record, last_delivery_seq) VALUES (?1, 0, ?2, 0)",
        params![id, record],
        "creating the scope",
    )?;
    Ok(())
}

fn write(
    tx: &Transaction<'_>,
    scope: &str,
    change: &Change,
    seq: &mut u64,
) -> Result<(), StoreError> {
    match change {
        Change::PutScope(record) => {
            let record = to_json(record, "scope record")?;
            execute(
                tx,
                "UPDATE scopes SET record = ?2 WHERE scope = ?1",
                params![scope, record],
                "writing the scope record",
            )?;
        }
        Change::PutRunner(runner) => put_runner(tx, scope, runner)?,
        Change::DeleteRunner { name } => {
            execute(
                tx,
                "DELETE FROM runners WHERE scope = ?1 AND name = ?2",
                params![scope, name],
                "deleting a runner",
            )?;
        }
        Change::OpenOutage(outage) => open_outage(tx, scope, outage)?,
        Change::ResolveOutage {
            runner,
            id,
            resolved_at,
            resolution,
        } => {
            let (kind, status) = resolution_columns(*resolution);
            let changed = execute(
                tx,
                "UPDATE outages SET resolved_at = ?4, resolution = ?5, recovered_status = ?6 \
                 WHERE scope = ?1 AND runner = ?2 AND id = ?3 AND resolved_at IS NULL",
                params![
                    scope,
                    runner,
                    int(*id, "outage id")?,
                    time::encode(*resolved_at)?,
                    kind,
                    status
                ],
                "resolving an outage",
            )?;
            expect_one(changed, runner, *id)?;
        }
        Change::RecordReminder { runner, id, at } => {
            let changed = execute(
                tx,
                "UPDATE outages SET reminders = reminders + 1, last_reminded_at = ?4 \
                 WHERE scope = ?1 AND runner = ?2 AND id = ?3 AND resolved_at IS NULL",
                params![scope, runner, int(*id, "outage id")?, time::encode(*at)?],
                "recording a reminder",
            )?;
            expect_one(changed, runner, *id)?;
        }
        Change::Enqueue { sink, notification } => {
            *seq += 1;
            outbox::enqueue(tx, scope, *seq, sink, notification)?;
        }
        Change::ExpireHistory { before } => history::expire(tx, scope, *before)?,
        other => {
            return Err(invalid(format!(
                "this build of the SQLite store cannot write {other:?}"
            )));
        }
    }
    Ok(())
}

fn put_runner(tx: &Transaction<'_>, scope: &str, runner: &RunnerRecord) -> Result<(), StoreError> {
    let group_id = runner.group_id.map(|g| int(g, "group id")).transpose()?;
    execute(
        tx,
        "INSERT OR REPLACE INTO runners (scope, name, github_id, previous_ids, status, busy, os, \
         labels, ephemeral, group_id, first_seen_at, last_seen_at, since, ever_healthy, \
         flap_opens, flapping_since) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            scope,
            runner.name,
            int(runner.id, "runner id")?,
            to_json(&runner.previous_ids, "previous ids")?,
            runner.status.number(),
            runner.busy,
            runner.os,
            to_json(&runner.labels, "labels")?,
            runner.ephemeral,
            group_id,
            time::encode(runner.first_seen_at)?,
            time::encode(runner.last_seen_at)?,
            time::encode(runner.since)?,
            runner.ever_healthy,
            to_json(&runner.flap_opens, "flap opens")?,
            time::encode_opt(runner.flapping_since)?,
        ],
        "writing a runner",
    )?;
    Ok(())
}

fn open_outage(tx: &Transaction<'_>, scope: &str, outage: &Outage) -> Result<(), StoreError> {
    let id = int(outage.id, "outage id")?;
    execute(
        tx,
        "INSERT INTO outages (scope, runner, id, runner_id, trigger_status, started_at, \
         description, reminders, last_reminded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            scope,
            outage.runner,
            id,
            int(outage.runner_id, "runner id")?,
            outage.trigger.number(),
            time::encode(outage.started_at)?,
            outage.description,
            outage.reminders,
            time::encode_opt(outage.last_reminded_at)?,
        ],
        "opening an outage",
    )?;
    execute(
        tx,
        "INSERT INTO outage_counters (scope, runner, last_id) VALUES (?1, ?2, ?3) \
         ON CONFLICT (scope, runner) DO UPDATE SET last_id = excluded.last_id",
        params![scope, outage.runner, id],
        "numbering an outage",
    )?;
    Ok(())
}

/// Defence in depth: the rules were checked, so exactly one open outage must have matched.
fn expect_one(changed: usize, runner: &str, id: u64) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(invalid(format!(
            "outage {id} of runner {runner} is not open"
        )))
    }
}
