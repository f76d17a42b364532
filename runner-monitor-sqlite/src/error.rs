//! Errors: [`OpenError`] for opening a file, and the mapping of SQLite errors to [`StoreError`].

use std::path::PathBuf;

use runner_monitor_core::StoreError;
use rusqlite::ErrorCode;

/// Why [`SqliteStore::open`](crate::SqliteStore::open) refused a file. Every variant names the
/// path; none of them is returned after anything was written to the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file exists but is not an SQLite database.
    #[error("{path}: not an SQLite database (file left unchanged)")]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// The file is an SQLite database that fails its integrity check or cannot be read.
    #[error("{path}: database is corrupt: {detail} (file left unchanged; restore a backup)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite reported.
        detail: String,
    },
    /// The file was written by a newer build with a schema this build does not know.
    #[error(
        "{path}: schema version {found} is newer than this build supports ({supported}); \
         upgrade runner-monitor or restore a backup (file left unchanged)"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's `PRAGMA user_version`.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The file is an SQLite database of some other application.
    #[error("{path}: not a runner-monitor database: {detail} (file left unchanged)")]
    Foreign {
        /// The file.
        path: PathBuf,
        /// Why it is taken to be foreign.
        detail: String,
    },
    /// The file or its directory cannot be created, opened or locked.
    #[error("{path}: cannot open: {detail}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        detail: String,
    },
}

impl From<OpenError> for StoreError {
    fn from(error: OpenError) -> Self {
        let message = error.to_string();
        match error {
            OpenError::Io { .. } => StoreError::Unavailable { message },
            _ => StoreError::Corrupt { message },
        }
    }
}

/// Maps a SQLite error met while doing `context` to the port's error.
pub(crate) fn store_error(context: &str, error: &rusqlite::Error) -> StoreError {
    let message = format!("{context}: {error}");
    match error {
        rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::OutOfMemory
            | ErrorCode::FileLockingProtocolFailed => StoreError::Unavailable { message },
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt { message },
            ErrorCode::ConstraintViolation => StoreError::Invalid { message },
            _ => StoreError::Other { message },
        },
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt { message },
        _ => StoreError::Other { message },
    }
}

/// A stored value that cannot be decoded.
pub(crate) fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt { message }
}

/// A value that cannot be stored.
pub(crate) fn invalid(message: String) -> StoreError {
    StoreError::Invalid { message }
}

/// `?`-friendly mapping of SQLite results.
pub(crate) trait Context<T> {
    /// Maps the error with [`store_error`].
    fn context(self, context: &str) -> Result<T, StoreError>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn context(self, context: &str) -> Result<T, StoreError> {
        self.map_err(|e| store_error(context, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_retryable_and_corruption_is_not() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(store_error("commit", &busy).is_retryable());
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        let mapped = store_error("load", &corrupt);
        assert!(matches!(mapped, StoreError::Corrupt { .. }), "{mapped:?}");
        assert!(mapped.to_string().contains("load"));
    }

    #[test]
    fn open_errors_become_corrupt_or_unavailable() {
        let newer = OpenError::NewerSchema {
            path: "/x/state.db".into(),
            found: 9,
            supported: 1,
        };
        let mapped = StoreError::from(newer);
        assert!(matches!(mapped, StoreError::Corrupt { .. }));
        assert!(mapped.to_string().contains("/x/state.db"));
        let io = OpenError::Io {
            path: "/x".into(),
            detail: "denied".into(),
        };
        assert!(StoreError::from(io).is_retryable());
    }
}
