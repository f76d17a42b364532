//! [`ConfigError`]: what is wrong with the configuration, where, and which key.

use std::path::PathBuf;

/// Why the configuration could not be loaded. Messages name the file (or environment variable),
/// the key and the problem; they never quote a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read the configuration file: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: invalid TOML: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// An environment override could not be applied.
    #[error("{var}: {message}")]
    Env {
        /// The variable.
        var: String,
        /// Why.
        message: String,
    },
    /// A key has a wrong or inconsistent value.
    #[error("{origin}: key `{key}`: {message}")]
    Invalid {
        /// Where the value came from: the file, an environment variable, or `configuration` for
        /// defaults.
        origin: String,
        /// The key path, e.g. `policy.open_after` or `sinks[1].kind`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The key the error is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}
