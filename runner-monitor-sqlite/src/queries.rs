//! The hot queries, in one place so their plans are tested (every one uses an index; none sorts
//! in a temporary b-tree).

/// The columns `codec::runner_from_row` reads, in order.
macro_rules! runner_columns {
    () => {
        "name, github_id, previous_ids, status, busy, os, labels, ephemeral, group_id, \
         first_seen_at, last_seen_at, since, ever_healthy"
    };
}

/// The columns `codec::outage_from_row` reads, in order.
macro_rules! outage_columns {
    () => {
        "runner, id, runner_id, trigger_status, started_at, resolved_at, resolution, \
         recovered_status, description, reminders, last_reminded_at"
    };
}

/// A scope's row.
pub(crate) const SCOPE_ROW: &str =
    "SELECT version, record, last_delivery_seq FROM scopes WHERE scope = ?1";

/// A scope's runners.
pub(crate) const RUNNERS: &str = concat!(
    "SELECT ",
    runner_columns!(),
    " FROM runners WHERE scope = ?1"
);

/// A scope's open outages. Without statistics the planner would rather walk the scope's whole
/// history by primary key; the partial index holds only open outages, so it is forced.
pub(crate) const OPEN_OUTAGES: &str = concat!(
    "SELECT ",
    outage_columns!(),
    " FROM outages INDEXED BY outages_open WHERE scope = ?1 AND resolved_at IS NULL"
);

/// A scope's outage numbering.
pub(crate) const OUTAGE_COUNTERS: &str =
    "SELECT runner, last_id FROM outage_counters WHERE scope = ?1";

/// Every scope.
pub(crate) const SCOPES: &str = "SELECT scope FROM scopes ORDER BY scope";

/// A runner's history, newest first.
pub(crate) const HISTORY: &str = concat!(
    "SELECT ",
    outage_columns!(),
    " FROM outages WHERE scope = ?1 AND runner = ?2 ORDER BY id DESC LIMIT ?3"
);

/// A scope's outages overlapping `[?2, ?3)`, by runner then id (the primary key's order).
pub(crate) const BETWEEN: &str = concat!(
    "SELECT ",
    outage_columns!(),
    " FROM outages WHERE scope = ?1 AND started_at < ?3 \
     AND (resolved_at IS NULL OR resolved_at > ?2) ORDER BY runner, id"
);

/// Pending deliveries, oldest first.
pub(crate) const PENDING: &str = "SELECT scope, seq, sink, notification, created_at, attempts, \
     next_attempt_at, last_error FROM deliveries WHERE settled_at IS NULL \
     ORDER BY created_at, scope, seq LIMIT ?1";

/// Expiry of resolved outages.
pub(crate) const EXPIRE_OUTAGES: &str = "DELETE FROM outages \
     WHERE scope = ?1 AND resolved_at IS NOT NULL AND resolved_at < ?2";

/// Expiry of settled deliveries.
pub(crate) const EXPIRE_DELIVERIES: &str = "DELETE FROM deliveries \
     WHERE scope = ?1 AND settled_at IS NOT NULL AND settled_at < ?2";

/// Settling a delivery (the three settlements share the WHERE clause).
pub(crate) const SETTLE_DELIVERED: &str = "UPDATE deliveries \
     SET settled_at = ?3, outcome = 'delivered' \
     WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL";

#[cfg(test)]
mod tests {
    use super::*;

    /// `EXPLAIN QUERY PLAN` lines of `sql`.
    fn plan(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
        let mut statement = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let nulls = vec![rusqlite::types::Null; statement.parameter_count()];
        statement
            .query_map(rusqlite::params_from_iter(nulls), |row| {
                row.get::<_, String>(3)
            })
            .expect("query")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("rows")
    }

    #[test]
    fn every_hot_query_uses_an_index_and_no_sort() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("open");
        crate::schema::migrations::migrate(&mut conn).expect("migrate");
        let expected = [
            (SCOPE_ROW, "scopes"),
            (RUNNERS, "PRIMARY KEY"),
            (OPEN_OUTAGES, "outages_open"),
            (OUTAGE_COUNTERS, "PRIMARY KEY"),
            (SCOPES, "INDEX"),
            (HISTORY, "PRIMARY KEY"),
            (BETWEEN, "PRIMARY KEY"),
            (PENDING, "deliveries_pending"),
            (EXPIRE_OUTAGES, "outages_resolved"),
            (EXPIRE_DELIVERIES, "deliveries_settled"),
            (SETTLE_DELIVERED, "INDEX"),
        ];
        for (sql, index) in expected {
            let lines = plan(&conn, sql);
            let text = lines.join(" | ");
            assert!(
                text.contains(index),
                "{sql}\n  plan: {text}\n  expected {index}"
            );
            assert!(!text.contains("TEMP B-TREE"), "{sql}\n  sorts: {text}");
            for line in &lines {
                assert!(
                    !line.starts_with("SCAN") || line.contains("INDEX"),
                    "{sql}\n  full table scan: {line}"
                );
            }
        }
    }
}
