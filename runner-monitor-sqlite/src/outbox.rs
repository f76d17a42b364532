//! The delivery outbox: enqueue (inside a commit), pending deliveries oldest first, settlement.

use runner_monitor_core::{Delivery, DeliveryId, Notification, Scope, Settlement, StoreError};
use rusqlite::{Connection, Row, params};

use crate::codec::{from_json, int, to_json, uint};
use crate::error::{Context, corrupt};
use crate::sql::execute;
use crate::{queries, time};

/// Adds a pending delivery with sequence number `seq` (inside the commit's transaction).
pub(crate) fn enqueue(
    conn: &Connection,
    scope: &str,
    seq: u64,
    sink: &str,
    notification: &Notification,
) -> Result<(), StoreError> {
    let created_at = time::encode(notification.at)?;
    execute(
        conn,
        "INSERT INTO deliveries (scope, seq, sink, notification, created_at, next_attempt_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![
            scope,
            int(seq, "delivery sequence")?,
            sink,
            to_json(notification, "notification")?,
            created_at
        ],
        "enqueueing a delivery",
    )?;
    Ok(())
}

/// Pending deliveries (neither delivered nor abandoned), oldest first, at most `limit`.
pub(crate) fn pending(conn: &Connection, limit: usize) -> Result<Vec<Delivery>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn
        .prepare_cached(queries::PENDING)
        .context("reading the outbox")?;
    let mut rows = statement
        .query(params![limit])
        .context("reading the outbox")?;
    let mut deliveries = Vec::new();
    while let Some(row) = rows.next().context("reading the outbox")? {
        deliveries.push(delivery_from_row(row)?);
    }
    Ok(deliveries)
}

fn delivery_from_row(row: &Row<'_>) -> Result<Delivery, StoreError> {
    let read = "reading a delivery";
    let scope: String = row.get(0).context(read)?;
    let scope: Scope = scope
        .parse()
        .map_err(|e| corrupt(format!("stored scope `{scope}` is unreadable: {e}")))?;
    Ok(Delivery {
        id: DeliveryId {
            scope,
            seq: uint(row.get(1).context(read)?, "delivery sequence")?,
        },
        sink: row.get(2).context(read)?,
        notification: from_json(&row.get::<_, String>(3).context(read)?, "notification")?,
        created_at: time::decode(&row.get::<_, String>(4).context(read)?)?,
        attempts: u32::try_from(row.get::<_, i64>(5).context(read)?)
            .map_err(|_| corrupt("stored attempt count is out of range".into()))?,
        next_attempt_at: time::decode(&row.get::<_, String>(6).context(read)?)?,
        last_error: row.get(7).context(read)?,
    })
}

/// Records an attempt's outcome on a pending delivery; `NotFound` if it is unknown or settled.
pub(crate) fn settle(
    conn: &Connection,
    id: &DeliveryId,
    settlement: &Settlement,
) -> Result<(), StoreError> {
    let not_found = || StoreError::NotFound {
        message: format!("no pending delivery {id}"),
    };
    let Ok(seq) = i64::try_from(id.seq) else {
        return Err(not_found());
    };
    let scope = id.scope.to_string();
    let changed = match settlement {
        Settlement::Delivered { at } => execute(
            conn,
            queries::SETTLE_DELIVERED,
            params![scope, seq, time::encode(*at)?],
            "settling a delivery",
        )?,
        Settlement::Abandoned { at, reason } => execute(
            conn,
            "UPDATE deliveries SET settled_at = ?3, outcome = 'abandoned', last_error = ?4 \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL",
            params![scope, seq, time::encode(*at)?, reason],
            "settling a delivery",
        )?,
        Settlement::Retry {
            next_attempt_at,
            error,
            ..
        } => execute(
            conn,
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4 \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL",
            params![scope, seq, time::encode(*next_attempt_at)?, error],
            "settling a delivery",
        )?,
    };
    if changed == 0 {
        return Err(not_found());
    }
    Ok(())
}
