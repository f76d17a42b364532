//! The checks after the last kill.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{Notification, NotificationKind};
use runner_monitor_sqlite::SqliteStore;

use super::child;
use super::journal::Journal;

/// Integrity, outage numbering, outbox completeness, and every journaled fact present.
pub fn file_is_intact_and_complete(db: &Path, journal: &Journal) {
    // Reopening runs recovery of the WAL, the quick check and migrations.
    drop(SqliteStore::open(db).expect("reopen after the kills"));
    let conn = rusqlite::Connection::open(db).expect("open raw");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .expect("foreign_key_check");
    assert_eq!(fk, 0, "foreign keys hold");

    outages_are_contiguous(&conn, journal);
    outbox_is_complete(&conn, journal);
}

fn outages_are_contiguous(conn: &rusqlite::Connection, journal: &Journal) {
    // (scope, runner) -> [(id, open)]
    let mut outages: BTreeMap<(String, String), Vec<(u64, bool)>> = BTreeMap::new();
    let mut statement = conn
        .prepare("SELECT scope, runner, id, resolved_at IS NULL FROM outages ORDER BY 1, 2, 3")
        .expect("prepare");
    let rows = statement
        .query_map([], |row| {
            Ok((
                (row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                (row.get::<_, u64>(2)?, row.get::<_, bool>(3)?),
            ))
        })
        .expect("query");
    for row in rows {
        let (key, outage) = row.expect("row");
        outages.entry(key).or_default().push(outage);
    }
    let counters: BTreeMap<(String, String), u64> = conn
        .prepare("SELECT scope, runner, last_id FROM outage_counters")
        .expect("prepare")
        .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(
        outages.keys().collect::<Vec<_>>(),
        counters.keys().collect::<Vec<_>>(),
        "every runner with outages has a counter and vice versa"
    );
    for (key, list) in &outages {
        let ids: Vec<u64> = list.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            (1..=counters[key]).collect::<Vec<_>>(),
            "{key:?}: ids contiguous from 1 up to the counter"
        );
        let open = list.iter().filter(|(_, open)| *open).count();
        assert!(open <= 1, "{key:?}: {open} open outages");
        if open == 1 {
            assert!(
                list.last().is_some_and(|(_, open)| *open),
                "{key:?}: only the newest may be open"
            );
        }
    }
    assert!(!outages.is_empty(), "the children opened no outage at all");
    for (scope, runner, id) in &journal.opened {
        let list = outages
            .get(&(scope.clone(), runner.clone()))
            .unwrap_or_else(|| panic!("committed outage {scope} {runner} #{id} is lost"));
        assert!(
            list.iter().any(|(i, _)| i == id),
            "committed outage {scope} {runner} #{id} is lost"
        );
    }
    for (scope, runner, id) in &journal.resolved {
        let list = &outages[&(scope.clone(), runner.clone())];
        assert!(
            list.iter().any(|(i, open)| i == id && !open),
            "committed resolution of {scope} {runner} #{id} is lost"
        );
    }
}

fn outbox_is_complete(conn: &rusqlite::Connection, journal: &Journal) {
    let mut statement = conn
        .prepare("SELECT scope, seq, sink, notification, settled_at IS NOT NULL, outcome FROM deliveries ORDER BY scope, seq")
        .expect("prepare");
    let rows: Vec<(String, u64, String, String, bool, Option<String>)> = statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let last_seq: BTreeMap<String, u64> = conn
        .prepare("SELECT scope, last_delivery_seq FROM scopes")
        .expect("prepare")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");

    let mut seqs: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut keys = BTreeSet::new();
    let mut opened_notices = BTreeSet::new();
    let mut settled = BTreeSet::new();
    for (scope, seq, sink, json, is_settled, outcome) in &rows {
        seqs.entry(scope).or_default().push(*seq);
        let notification: Notification = serde_json::from_str(json).expect("notification JSON");
        let key = (scope.clone(), sink.clone(), notification.idempotency_key());
        assert!(keys.insert(key.clone()), "delivery enqueued twice: {key:?}");
        if let NotificationKind::OutageOpened { outage, .. } = &notification.kind {
            opened_notices.insert((
                scope.clone(),
                outage.runner.clone(),
                outage.id,
                sink.clone(),
            ));
        }
        if *is_settled {
            assert_eq!(outcome.as_deref(), Some("delivered"), "{key:?}");
            settled.insert((scope.clone(), *seq));
        }
    }
    for (scope, list) in &seqs {
        assert_eq!(
            *list,
            (1..=last_seq[*scope]).collect::<Vec<_>>(),
            "{scope}: every committed delivery is still there (pending or settled)"
        );
    }
    for fact in &journal.enqueued {
        assert!(keys.contains(fact), "committed delivery lost: {fact:?}");
    }
    for fact in &journal.settled {
        assert!(
            settled.contains(fact),
            "settled delivery came back: {fact:?}"
        );
    }
    for (scope, runner, id) in &journal.opened {
        for sink in child::SINKS {
            assert!(
                opened_notices.contains(&(scope.clone(), runner.clone(), *id, sink.to_owned())),
                "outage {scope} {runner} #{id} has no {sink} notification"
            );
        }
    }
}

/// After the kills the file still runs cycles cleanly, and they drain the outbox.
pub fn store_still_works(db: &Path, next_cycle: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = Arc::new(SqliteStore::open(db).expect("reopen"));
        let (monitor, source) = child::monitor(store.clone());
        for cycle in next_cycle..next_cycle + 3 {
            child::script(&source, cycle);
            let report = monitor.run_cycle(at(cycle as i64 * 60)).await;
            assert!(!report.has_errors(), "{report:?}");
        }
        // A killed child may have died holding claims: they are taken over once their lease
        // has expired, and only then.
        let lease =
            chrono::Duration::from_std(runner_monitor_core::monitor::DEFAULT_DELIVERY_LEASE)
                .expect("lease");
        let after_lease = at((next_cycle as i64 + 2) * 60) + lease;
        let report = monitor.dispatch(after_lease).await;
        assert!(report.store_error.is_none(), "{report:?}");
        use runner_monitor_core::Store;
        let pending = store.pending_deliveries(10_000).await.expect("pending");
        assert!(pending.is_empty(), "the outbox drains: {pending:?}");
    });
}
