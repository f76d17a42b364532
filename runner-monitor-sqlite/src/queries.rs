//! The hot queries, in one place so their plans are tested (every one uses an index; none sorts
//! in a temporary b-tree).

/// The columns `codec::runner_from_row` reads, in order.
macro_rules! runner_columns {
    () => {
        "name, github_id, previous_ids, status, busy, os, labels, ephemeral, group_id, \
         first_seen_at, last_seen_at, since, ever_healthy, flap_opens, flapping_since"
    };
}

/// The columns `codec::outage_from_row` reads, in order.
macro_rules! outage_columns {
    () => {
        "runner, id, runner_id, trigger_status, started_at, resolved_at, resolution, \
         recovered_status, description, reminders, last_reminded_at, acked_by, acked_at"
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

/// One runner's open outage (acknowledgements).
pub(crate) const OPEN_OUTAGE_OF: &str = concat!(
    "SELECT ",
    outage_columns!(),
    " FROM outages INDEXED BY outages_open WHERE scope = ?1 AND runner = ?2 \
     AND resolved_at IS NULL"
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

/// The columns `outbox::delivery_from_row` reads, in order.
macro_rules! delivery_columns {
    () => {
        "scope, seq, sink, notification, created_at, attempts, next_attempt_at, last_error, \
         claim_holder, claim_until"
    };
}

/// A scope's outages overlapping `[?2, ?3)`, by runner then id (the primary key's order).
pub(crate) const BETWEEN: &str = concat!(
    "SELECT ",
    outage_columns!(),
    " FROM outages WHERE scope = ?1 AND started_at < ?3 \
     AND (resolved_at IS NULL OR resolved_at > ?2) ORDER BY runner, id"
);

/// Pending deliveries, oldest first.
pub(crate) const PENDING: &str = concat!(
    "SELECT ",
    delivery_columns!(),
    " FROM deliveries WHERE settled_at IS NULL ORDER BY created_at, scope, seq LIMIT ?1"
);

/// The head check shared by the claim queries: no earlier pending delivery in the queue.
macro_rules! is_head {
    () => {
        " AND NOT EXISTS (SELECT 1 FROM deliveries AS e INDEXED BY deliveries_queue \
          WHERE e.settled_at IS NULL AND e.scope = d.scope AND e.sink = d.sink \
          AND e.subject = d.subject AND e.seq < d.seq)"
    };
}

/// Due, unclaimed heads of one sink (?1), at ?2, created before ?3, at most ?4. The range on
/// `deliveries_due` visits only this sink's due rows; those (few) are sorted by (scope, seq).
pub(crate) const DUE_FOR_SINK: &str = concat!(
    "SELECT ",
    delivery_columns!(),
    " FROM deliveries AS d INDEXED BY deliveries_due \
     WHERE d.settled_at IS NULL AND d.sink = ?1 AND d.next_attempt_at <= ?2 \
     AND (d.claim_until IS NULL OR d.claim_until <= ?2) AND d.created_at < ?3",
    is_head!(),
    " ORDER BY d.scope, d.seq LIMIT ?4"
);

/// Due, unclaimed heads of any sink created before ?3 (the sweep; the caller drops the sinks it
/// excludes), at ?2. The range on `deliveries_pending` visits only rows created before ?3.
pub(crate) const DUE_CREATED_BEFORE: &str = concat!(
    "SELECT ",
    delivery_columns!(),
    " FROM deliveries AS d INDEXED BY deliveries_pending \
     WHERE d.settled_at IS NULL AND d.created_at < ?3 AND d.next_attempt_at <= ?2 \
     AND (d.claim_until IS NULL OR d.claim_until <= ?2)",
    is_head!(),
    " ORDER BY d.scope, d.seq"
);

/// Claiming one delivery (inside the claim's transaction).
pub(crate) const CLAIM: &str =
    "UPDATE deliveries SET claim_holder = ?3, claim_until = ?4 WHERE scope = ?1 AND seq = ?2";

/// The claim on a pending delivery (to tell a lost lease from an unknown id).
pub(crate) const CLAIM_OF: &str = "SELECT claim_holder FROM deliveries \
     WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL";

/// Waking postponed deliveries: pending, not under a live claim at ?1, due after ?1 and at or
/// before ?2 become due at ?1. The range on `deliveries_waiting` visits only the window's rows.
pub(crate) const WAKE_POSTPONED: &str = "UPDATE deliveries INDEXED BY deliveries_waiting \
     SET next_attempt_at = ?1 \
     WHERE settled_at IS NULL AND next_attempt_at > ?1 AND next_attempt_at <= ?2 \
     AND (claim_until IS NULL OR claim_until <= ?1)";

/// Expiry of resolved outages.
pub(crate) const EXPIRE_OUTAGES: &str = "DELETE FROM outages \
     WHERE scope = ?1 AND resolved_at IS NOT NULL AND resolved_at < ?2";

/// Expiry of settled deliveries.
pub(crate) const EXPIRE_DELIVERIES: &str = "DELETE FROM deliveries \
     WHERE scope = ?1 AND settled_at IS NOT NULL AND settled_at < ?2";

/// Settling a delivery as delivered, under its claim (?4, ?5); every settlement shares this
/// WHERE clause and drops the claim.
pub(crate) const SETTLE_DELIVERED: &str = "UPDATE deliveries \
     SET settled_at = ?3, outcome = 'delivered', claim_holder = NULL, claim_until = NULL \
     WHERE scope = ?1 AND seq = ?2 AND settled_at IS NULL AND claim_holder = ?4 \
     AND claim_until = ?5";

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
            (OPEN_OUTAGE_OF, "outages_open"),
            (OUTAGE_COUNTERS, "PRIMARY KEY"),
            (SCOPES, "INDEX"),
            (HISTORY, "PRIMARY KEY"),
            (BETWEEN, "PRIMARY KEY"),
            (PENDING, "deliveries_pending"),
            (DUE_FOR_SINK, "deliveries_due"),
            (DUE_CREATED_BEFORE, "deliveries_pending"),
            (CLAIM, "sqlite_autoindex_deliveries_1"),
            (CLAIM_OF, "sqlite_autoindex_deliveries_1"),
            (EXPIRE_OUTAGES, "outages_resolved"),
            (EXPIRE_DELIVERIES, "deliveries_settled"),
            (SETTLE_DELIVERED, "INDEX"),
            (WAKE_POSTPONED, "deliveries_waiting"),
        ];
        for (sql, index) in expected {
            let lines = plan(&conn, sql);
            let text = lines.join(" | ");
            assert!(
                text.contains(index),
                "{sql}\n  plan: {text}\n  expected {index}"
            );
            // The claim queries sort the due rows they found (never the backlog) by sequence.
            let sorts_due_rows = sql == DUE_FOR_SINK || sql == DUE_CREATED_BEFORE;
            assert!(
                sorts_due_rows || !text.contains("TEMP B-TREE"),
                "{sql}\n  sorts: {text}"
            );
            assert!(
                !sorts_due_rows || text.contains("deliveries_queue"),
                "{sql}\n  the head check must use deliveries_queue: {text}"
            );
            for line in &lines {
                assert!(
                    !line.starts_with("SCAN") || line.contains("INDEX"),
                    "{sql}\n  full table scan: {line}"
                );
            }
        }
    }
}
