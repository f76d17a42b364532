//! The delivery outbox: enqueue (inside a commit), pending deliveries oldest first, claims of
//! due heads, settlement under a claim.

use runner_monitor_core::{
    Claim, ClaimRequest, Delivery, DeliveryId, Notification, Scope, Settlement, SinkFilter,
    StoreError, Timestamp,
};
use rusqlite::{Connection, OptionalExtension as _, Row, TransactionBehavior, params};

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
        "INSERT INTO deliveries \
         (scope, seq, sink, notification, created_at, next_attempt_at, subject) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![
            scope,
            int(seq, "delivery sequence")?,
            sink,
            to_json(notification, "notification")?,
            created_at,
            notification.subject()
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
        claim: match (
            row.get::<_, Option<String>>(8).context(read)?,
            row.get::<_, Option<String>>(9).context(read)?,
        ) {
            (Some(holder), Some(until)) => Some(Claim {
                holder,
                until: time::decode(&until)?,
            }),
            _ => None,
        },
    })
}

/// Claims the due heads `request` admits, in one `BEGIN IMMEDIATE` transaction: the write lock
/// is taken before reading, so two connections (or processes) never claim the same delivery.
pub(crate) fn claim_due(
    conn: &mut Connection,
    request: &ClaimRequest,
) -> Result<Vec<Delivery>, StoreError> {
    let context = "claiming deliveries";
    let now = time::encode(request.now)?;
    let until = time::encode_saturating(request.until)?;
    // Text compares as time; "~" sorts after every timestamp: no bound.
    let created_before = match request.created_before {
        Some(at) => time::encode_saturating(at)?,
        None => "~".to_owned(),
    };
    let limit = i64::try_from(request.limit).unwrap_or(i64::MAX);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context(context)?;
    let mut found = Vec::new();
    match &request.sinks {
        SinkFilter::Only(sinks) => {
            let mut statement = tx.prepare_cached(queries::DUE_FOR_SINK).context(context)?;
            for sink in sinks {
                let mut rows = statement
                    .query(params![sink, now, created_before, limit])
                    .context(context)?;
                while let Some(row) = rows.next().context(context)? {
                    found.push(delivery_from_row(row)?);
                }
            }
            found.sort_by(|a: &Delivery, b| a.id.cmp(&b.id));
            found.truncate(request.limit);
        }
        SinkFilter::Except(_) => {
            let mut statement = tx
                .prepare_cached(queries::DUE_CREATED_BEFORE)
                .context(context)?;
            let mut rows = statement
                .query(params![rusqlite::types::Null, now, created_before])
                .context(context)?;
            while found.len() < request.limit {
                let Some(row) = rows.next().context(context)? else {
                    break;
                };
                let delivery = delivery_from_row(row)?;
                if request.sinks.matches(&delivery.sink) {
                    found.push(delivery);
                }
            }
        }
    }
    let claim = Claim {
        holder: request.holder.clone(),
        until: time::decode(&until)?,
    };
    for delivery in &mut found {
        execute(
            &tx,
            queries::CLAIM,
            params![
                delivery.id.scope.to_string(),
                int(delivery.id.seq, "delivery sequence")?,
                claim.holder,
                until
            ],
            context,
        )?;
        delivery.claim = Some(claim.clone());
    }
    tx.commit().context(context)?;
    Ok(found)
}

/// Records an attempt's outcome on a pending delivery claimed with `claim`; `NotFound` if it is
/// unknown or settled, `LeaseLost` if its claim is another.
pub(crate) fn settle(
    conn: &mut Connection,
    id: &DeliveryId,
    claim: &Claim,
    settlement: &Settlement,
) -> Result<(), StoreError> {
    let not_found = || StoreError::NotFound {
        message: format!("no pending delivery {id}"),
    };
    let Ok(seq) = i64::try_from(id.seq) else {
        return Err(not_found());
    };
    let context = "settling a delivery";
    let scope = id.scope.to_string();
    let until = time::encode_saturating(claim.until)?;
    let holder = claim.holder.as_str();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context(context)?;
    let changed = match settlement {
        Settlement::Delivered { at } => execute(
            &tx,
            queries::SETTLE_DELIVERED,
            params![scope, seq, time::encode(*at)?, holder, until],
            context,
        )?,
        Settlement::Abandoned { at, reason } => execute(
            &tx,
            "UPDATE deliveries SET settled_at = ?3, outcome = 'abandoned', last_error = ?6, \
             claim_holder = NULL, claim_until = NULL \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL AND claim_holder = ?4 \
             AND claim_until = ?5",
            params![scope, seq, time::encode(*at)?, holder, until, reason],
            context,
        )?,
        Settlement::Retry {
            next_attempt_at,
            error,
            ..
        } => execute(
            &tx,
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?3, \
             last_error = ?6, claim_holder = NULL, claim_until = NULL \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL AND claim_holder = ?4 \
             AND claim_until = ?5",
            params![
                scope,
                seq,
                time::encode_saturating(*next_attempt_at)?,
                holder,
                until,
                error
            ],
            context,
        )?,
        Settlement::Postponed { until: due, .. } => execute(
            &tx,
            "UPDATE deliveries SET next_attempt_at = ?3, claim_holder = NULL, claim_until = NULL \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL AND claim_holder = ?4 \
             AND claim_until = ?5",
            params![scope, seq, time::encode_saturating(*due)?, holder, until],
            context,
        )?,
        Settlement::Released { .. } => execute(
            &tx,
            "UPDATE deliveries SET claim_holder = NULL, claim_until = NULL \
             WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL AND claim_holder = ?3 \
             AND claim_until = ?4",
            params![scope, seq, holder, until],
            context,
        )?,
    };
    if changed == 0 {
        let current: Option<Option<String>> = tx
            .prepare_cached(queries::CLAIM_OF)
            .and_then(|mut s| {
                s.query_row(params![scope, seq], |row| row.get(0))
                    .optional()
            })
            .context(context)?;
        return Err(match current {
            None => not_found(),
            Some(holder) => StoreError::LeaseLost {
                message: format!(
                    "delivery {id} is claimed by {}",
                    holder.as_deref().unwrap_or("nobody")
                ),
            },
        });
    }
    tx.commit().context(context)?;
    Ok(())
}

/// Makes the pending, unclaimed deliveries due after `now` and at or before `until` due at
/// `now`, in one UPDATE; returns how many.
pub(crate) fn wake_postponed(
    conn: &Connection,
    until: Timestamp,
    now: Timestamp,
) -> Result<usize, StoreError> {
    if until <= now {
        return Ok(0);
    }
    execute(
        conn,
        queries::WAKE_POSTPONED,
        params![time::encode(now)?, time::encode_saturating(until)?],
        "waking postponed deliveries",
    )
}
