//! Opening files: bad files are refused untouched; good files survive reopening.

use std::path::{Path, PathBuf};

use runner_monitor_core::testing::{at, delivery_notification, outage, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, Store};
use runner_monitor_sqlite::{OpenError, SqliteStore};

/// The directory's entries (names), sorted: to see that no side file was left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Opening `path` fails; the file's bytes and the directory listing are unchanged.
fn assert_refused_untouched(path: &Path) -> OpenError {
    let before = std::fs::read(path).expect("read");
    let listing = entries(path.parent().expect("parent"));
    let error = SqliteStore::open(path).expect_err("must refuse");
    assert_eq!(std::fs::read(path).expect("read"), before, "file changed");
    assert_eq!(
        entries(path.parent().expect("parent")),
        listing,
        "side files left behind"
    );
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    error
}

/// A store with a little data at `dir/state.db`, closed again.
async fn populated(dir: &Path) -> PathBuf {
    let path = dir.join("state.db");
    let store = SqliteStore::open(&path).expect("open");
    let scope: Scope = "acme/api".parse().expect("scope");
    let mut changes = vec![Change::PutRunner(runner_record(
        "a",
        1,
        RunnerStatus::Offline,
        at(0),
    ))];
    for i in 0..200u64 {
        changes.push(Change::PutRunner(runner_record(
            &format!("r{i}"),
            i + 10,
            RunnerStatus::Idle,
            at(0),
        )));
    }
    changes.push(Change::OpenOutage(outage("a", 1, at(1))));
    changes.push(Change::Enqueue {
        sink: "slack".into(),
        notification: delivery_notification(&scope, "a", 1, at(1)),
    });
    store.commit(&scope, 0, &changes).await.expect("commit");
    drop(store);
    path
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    std::fs::write(&path, "this is a text file, not a database\n".repeat(200)).expect("write");
    let error = assert_refused_untouched(&path);
    assert!(matches!(error, OpenError::NotADatabase { .. }), "{error:?}");
    assert!(error.to_string().contains("not an SQLite database"));
}

#[tokio::test]
async fn a_corrupt_database_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = populated(dir.path()).await;
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 3 * 4096, "expected several pages");
    // Keep page 1 (header and schema) intact; scribble over the next pages.
    for byte in &mut bytes[4096..3 * 4096] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("write");
    let error = assert_refused_untouched(&path);
    assert!(matches!(error, OpenError::Corrupt { .. }), "{error:?}");
    let store_error = runner_monitor_core::StoreError::from(error);
    assert!(matches!(
        store_error,
        runner_monitor_core::StoreError::Corrupt { .. }
    ));
}

#[tokio::test]
async fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = populated(dir.path()).await;
    {
        let conn = rusqlite::Connection::open(&path).expect("open raw");
        conn.pragma_update(None, "user_version", 999)
            .expect("bump version");
    }
    let error = assert_refused_untouched(&path);
    match &error {
        OpenError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, 999);
            assert!(*supported < 999);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(error.to_string().contains("newer than this build"));
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open raw");
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
            .expect("create");
    }
    let error = assert_refused_untouched(&path);
    assert!(matches!(error, OpenError::Foreign { .. }), "{error:?}");
}

#[tokio::test]
async fn data_survives_reopening_and_the_directory_is_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("a").join("b");
    let path = populated(&nested).await;
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.path(), path);
    let scope: Scope = "acme/api".parse().expect("scope");
    let state = store.load(&scope).await.expect("load");
    assert_eq!(state.version, 1);
    assert_eq!(state.runners.len(), 201);
    assert_eq!(state.open_outages["a"].id, 1);
    let pending = store.pending_deliveries(10).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(store.scopes().await.expect("scopes"), [scope]);
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[test]
fn default_path_is_under_a_runner_monitor_directory() {
    // The environment decides the exact place (unit tests cover each variable); on any machine
    // with a HOME the default names the state file in a runner-monitor directory.
    if let Some(path) = SqliteStore::default_path()
        && std::env::var_os("RUNNER_MONITOR_DB").is_none()
    {
        assert!(path.ends_with("runner-monitor/state.db"), "{path:?}");
    }
}
