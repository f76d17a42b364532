//! Migrations, tracked with `PRAGMA user_version`.
//!
//! Policy: `MIGRATIONS[i]` takes a file from version `i` to `i + 1`. Migrations are append-only: a
//! released one is never edited. Each runs with its `user_version` bump in one `BEGIN IMMEDIATE`
//! transaction, so a crash leaves the file at the old or the new version, and two processes opening
//! the same old file migrate it once. A file newer than [`LATEST`] is refused, never downgraded.

use rusqlite::{Connection, TransactionBehavior};

use super::APPLICATION_ID;

/// The migrations, oldest first.
const MIGRATIONS: &[&str] = &[
    include_str!("v1.sql"),
    include_str!("v2.sql"),
    include_str!("v3_receipts.sql"),
    include_str!("v4_flapping.sql"),
    include_str!("v5_silences.sql"),
    include_str!("v6_wake.sql"),
];

/// The newest schema version this build knows.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The file's schema version (`PRAGMA user_version`).
pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // user_version is a signed 32-bit header field; a negative one is "newer than anything".
    Ok(u32::try_from(version).unwrap_or(u32::MAX))
}

/// Brings the file to [`LATEST`]; returns the version it was at. The caller has checked that the
/// file is not newer than [`LATEST`]; it is checked again under the write lock.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<u32> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = user_version(&tx)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
    }
    if from < LATEST {
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    tx.commit()?;
    Ok(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_once() -> rusqlite::Result<()> {
        let mut conn = Connection::open_in_memory()?;
        assert_eq!(migrate(&mut conn)?, 0);
        assert_eq!(user_version(&conn)?, LATEST);
        assert_eq!(migrate(&mut conn)?, LATEST, "a second run does nothing");
        let id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
        assert_eq!(id, APPLICATION_ID);
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(tables, 8);
        Ok(())
    }

    #[test]
    fn upgrades_a_v2_database_keeping_its_data() -> rusqlite::Result<()> {
        let mut conn = Connection::open_in_memory()?;
        for (index, sql) in MIGRATIONS.iter().take(2).enumerate() {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", index + 1)?;
        }
        let count = |conn: &Connection, table: &str| -> rusqlite::Result<i64> {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
        };
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let before: Vec<i64> = tables
            .iter()
            .map(|t| count(&conn, t))
            .collect::<rusqlite::Result<_>>()?;
        assert_eq!(migrate(&mut conn)?, 2);
        assert_eq!(user_version(&conn)?, LATEST);
        let after: Vec<i64> = tables
            .iter()
            .map(|t| count(&conn, t))
            .collect::<rusqlite::Result<_>>()?;
        assert_eq!(before, after, "every v2 table kept its rows");
        assert_eq!(count(&conn, "receipts")?, 0);
        assert_eq!(count(&conn, "receipt_members")?, 0);
        Ok(())
    }

    #[test]
    fn v2_database_upgrades_keeping_its_outages() -> rusqlite::Result<()> {
        let mut conn = Connection::open_in_memory()?;
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql)?;
        }
        conn.pragma_update(None, "user_version", 2)?;
        conn.execute_batch(
            "INSERT INTO scopes (scope, version, record, last_delivery_seq) \
             VALUES ('acme/api', 7, '{}', 0); \
             INSERT INTO outages (scope, runner, id, runner_id, trigger_status, started_at, \
             description) VALUES ('acme/api', 'build-1', 1, 9, 2, '2026-01-01T00:00:00Z', 'down');",
        )?;
        assert_eq!(migrate(&mut conn)?, 2);
        assert_eq!(user_version(&conn)?, LATEST);
        let (description, acked): (String, Option<String>) = conn.query_row(
            "SELECT description, acked_by FROM outages WHERE runner = 'build-1'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        assert_eq!((description.as_str(), acked), ("down", None));
        let silences: i64 =
            conn.query_row("SELECT count(*) FROM silences", [], |row| row.get(0))?;
        assert_eq!(silences, 0);
        Ok(())
    }
}
