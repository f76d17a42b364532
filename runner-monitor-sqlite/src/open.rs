//! Opening a database file: refuse anything that is not a healthy runner-monitor database of a
//! known schema version *before* writing a byte, then configure the connection and migrate.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use tracing::info;

use crate::error::OpenError;
use crate::schema::{APPLICATION_ID, migrations};

/// How long a statement waits for another connection's lock before failing as unavailable.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if missing, with its parent directory) and migrates the database at `path`.
pub(crate) fn open_file(path: &Path) -> Result<Connection, OpenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| OpenError::Io {
            path: parent.to_path_buf(),
            detail: format!("cannot create the directory: {e}"),
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, &e))?;
    let mut conn = prepare(conn, path)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| classify(path, &e))?;
    let from = migrations::migrate(&mut conn).map_err(|e| classify(path, &e))?;
    if from < migrations::LATEST {
        info!(path = %path.display(), from, to = migrations::LATEST, "sqlite schema migrated");
    }
    Ok(conn)
}

/// An in-memory database (private to one connection), migrated.
pub(crate) fn open_memory() -> Result<Connection, OpenError> {
    let path = Path::new(":memory:");
    let conn = Connection::open_in_memory().map_err(|e| classify(path, &e))?;
    let mut conn = prepare(conn, path)?;
    migrations::migrate(&mut conn).map_err(|e| classify(path, &e))?;
    Ok(conn)
}

/// Read-only checks, then per-connection settings (none of which writes the file).
fn prepare(conn: Connection, path: &Path) -> Result<Connection, OpenError> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| classify(path, &e))?;
    check(&conn, path)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| classify(path, &e))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(|e| classify(path, &e))?;
    Ok(conn)
}

/// Reads only: is this a runner-monitor database this build can use?
fn check(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    // The first read of the header: fails for a file that is not a database.
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .map_err(|e| classify(path, &e))?;
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(|e| classify(path, &e))?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(OpenError::Foreign {
            path: path.to_path_buf(),
            detail: format!("application_id is {application_id:#x}"),
        });
    }
    let found = migrations::user_version(conn).map_err(|e| classify(path, &e))?;
    if found > migrations::LATEST {
        return Err(OpenError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: migrations::LATEST,
        });
    }
    if found == 0 && objects > 0 {
        return Err(OpenError::Foreign {
            path: path.to_path_buf(),
            detail: format!("it holds {objects} schema objects but no runner-monitor schema"),
        });
    }
    let problems = quick_check(conn).map_err(|e| classify(path, &e))?;
    if !problems.is_empty() {
        return Err(OpenError::Corrupt {
            path: path.to_path_buf(),
            detail: problems.join("; "),
        });
    }
    Ok(())
}

/// `PRAGMA quick_check`'s complaints (at most 5); empty when it says `ok`.
fn quick_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare("PRAGMA quick_check(5)")?;
    let lines = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

/// Names the problem behind a SQLite error met while opening `path`.
fn classify(path: &Path, error: &rusqlite::Error) -> OpenError {
    let path = path.to_path_buf();
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotADatabase { path },
        Some(ErrorCode::DatabaseCorrupt) => OpenError::Corrupt {
            path,
            detail: error.to_string(),
        },
        _ => OpenError::Io {
            path,
            detail: error.to_string(),
        },
    }
}
