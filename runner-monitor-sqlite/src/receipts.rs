//! Message receipts: `receipts` (one row per sink and message key) and `receipt_members` (the
//! incident keys each still holds open, indexed both ways).

use std::collections::BTreeSet;

use runner_monitor_core::{MessageReceipt, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::Context;
use crate::time;

/// Replaces the receipt stored under `(sink, key)`; an empty `open` deletes it. One transaction.
pub(crate) fn put(conn: &mut Connection, receipt: &MessageReceipt) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("storing a receipt")?;
    tx.execute(
        "DELETE FROM receipt_members WHERE sink = ?1 AND key = ?2",
        params![receipt.sink, receipt.key],
    )
    .context("storing a receipt")?;
    tx.execute(
        "DELETE FROM receipts WHERE sink = ?1 AND key = ?2",
        params![receipt.sink, receipt.key],
    )
    .context("storing a receipt")?;
    if !receipt.open.is_empty() {
        tx.execute(
            "INSERT INTO receipts (sink, key, handle, sent_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                receipt.sink,
                receipt.key,
                receipt.handle,
                time::encode(receipt.sent_at)?
            ],
        )
        .context("storing a receipt")?;
        let mut insert = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO receipt_members (sink, member, key) VALUES (?1, ?2, ?3)",
            )
            .context("storing a receipt")?;
        for member in &receipt.open {
            insert
                .execute(params![receipt.sink, member, receipt.key])
                .context("storing a receipt")?;
        }
    }
    tx.commit().context("storing a receipt")
}

/// The receipts of `sink` holding any of `members` open, each once, by key: one indexed
/// lookup per member asked for, then one read per receipt found.
pub(crate) fn following(
    conn: &Connection,
    sink: &str,
    members: &[String],
) -> Result<Vec<MessageReceipt>, StoreError> {
    let mut keys = BTreeSet::new();
    {
        let mut lookup = conn
            .prepare_cached("SELECT key FROM receipt_members WHERE sink = ?1 AND member = ?2")
            .context("reading receipts")?;
        for member in members {
            let mut rows = lookup
                .query(params![sink, member])
                .context("reading receipts")?;
            while let Some(row) = rows.next().context("reading receipts")? {
                keys.insert(row.get::<_, String>(0).context("reading receipts")?);
            }
        }
    }
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(receipt) = read(conn, sink, &key)? {
            found.push(receipt);
        }
    }
    Ok(found)
}

fn read(conn: &Connection, sink: &str, key: &str) -> Result<Option<MessageReceipt>, StoreError> {
    let head: Option<(String, String)> = conn
        .prepare_cached("SELECT handle, sent_at FROM receipts WHERE sink = ?1 AND key = ?2")
        .context("reading a receipt")?
        .query_row(params![sink, key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .context("reading a receipt")?;
    let Some((handle, sent_at)) = head else {
        return Ok(None);
    };
    let mut statement = conn
        .prepare_cached(
            "SELECT member FROM receipt_members WHERE sink = ?1 AND key = ?2 ORDER BY member",
        )
        .context("reading a receipt")?;
    let open = statement
        .query_map(params![sink, key], |row| row.get::<_, String>(0))
        .context("reading a receipt")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .context("reading a receipt")?;
    Ok(Some(MessageReceipt {
        sink: sink.to_owned(),
        key: key.to_owned(),
        open,
        handle,
        sent_at: time::decode(&sent_at)?,
    }))
}
