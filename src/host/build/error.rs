//! [`BuildError`]: a configuration that loads but cannot be turned into a running host.

use super::super::secrets::SecretError;

/// Why a [`Host`](super::Host) could not be built. Names the configuration key; never a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A secret could not be read.
    #[error("secret {0}")]
    Secret(#[from] SecretError),
    /// A component refused its settings.
    #[error("{key}: {reason}")]
    Component {
        /// The configuration key, e.g. `github`, `sinks[1]`, `store`.
        key: String,
        /// Why.
        reason: String,
    },
}

impl BuildError {
    pub(crate) fn component(key: impl Into<String>, reason: impl ToString) -> Self {
        BuildError::Component {
            key: key.into(),
            reason: reason.to_string(),
        }
    }
}
