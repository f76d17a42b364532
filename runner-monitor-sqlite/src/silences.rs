//! Runtime silences (one JSON row per id) and acknowledgements of open outages.

use runner_monitor_core::{Acknowledgement, Outage, Scope, Silence, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::codec::{from_json, outage_from_row, to_json};
use crate::error::Context;
use crate::queries;
use crate::sql::execute;
use crate::time;

/// Stores `silence`, replacing one with its id.
pub(crate) fn put(conn: &Connection, silence: &Silence) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO silences (id, silence) VALUES (?1, ?2) \
         ON CONFLICT (id) DO UPDATE SET silence = excluded.silence",
        params![silence.id, to_json(silence, "silence")?],
        "storing a silence",
    )?;
    Ok(())
}

/// Removes silence `id`; whether it existed.
pub(crate) fn delete(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    let changed = execute(
        conn,
        "DELETE FROM silences WHERE id = ?1",
        params![id],
        "deleting a silence",
    )?;
    Ok(changed > 0)
}

/// Every stored silence, by id.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Silence>, StoreError> {
    let context = "reading silences";
    let mut statement = conn
        .prepare_cached("SELECT silence FROM silences ORDER BY id")
        .context(context)?;
    let mut rows = statement.query([]).context(context)?;
    let mut silences = Vec::new();
    while let Some(row) = rows.next().context(context)? {
        let text: String = row.get(0).context(context)?;
        silences.push(from_json(&text, "silence")?);
    }
    Ok(silences)
}

/// Marks the open outage of `runner` acknowledged and bumps the scope's version, in one
/// transaction; returns the outage.
pub(crate) fn acknowledge(
    conn: &mut Connection,
    scope: &Scope,
    runner: &str,
    ack: &Acknowledgement,
) -> Result<Outage, StoreError> {
    let context = "acknowledging an outage";
    let scope = scope.to_string();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context(context)?;
    let changed = execute(
        &tx,
        "UPDATE outages SET acked_by = ?3, acked_at = ?4 \
         WHERE scope = ?1 AND runner = ?2 AND resolved_at IS NULL",
        params![scope, runner, ack.by, time::encode(ack.at)?],
        context,
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            message: format!("runner {runner} of {scope} has no open outage"),
        });
    }
    // A cycle planned before the acknowledgement conflicts and replans (no stale reminder).
    execute(
        &tx,
        "UPDATE scopes SET version = version + 1 WHERE scope = ?1",
        params![scope],
        context,
    )?;
    let outage = tx
        .prepare_cached(queries::OPEN_OUTAGE_OF)
        .context(context)?
        .query_row(params![scope, runner], |row| Ok(outage_from_row(row)))
        .optional()
        .context(context)?
        .ok_or_else(|| StoreError::NotFound {
            message: format!("runner {runner} of {scope} has no open outage"),
        })??;
    tx.commit().context(context)?;
    Ok(outage)
}
