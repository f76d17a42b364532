//! [`ConfigError`]: a notifier cannot be built from its configuration.

/// Why a notifier could not be configured. Messages never contain the secret values themselves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The URL does not parse or is not `http`/`https` (the URL itself is not repeated: it may
    /// carry a token).
    #[error("invalid {what} URL: {reason}")]
    InvalidUrl {
        /// Which URL (`webhook`, `PagerDuty base`).
        what: &'static str,
        /// Why, without the URL.
        reason: String,
    },
    /// An extra header name is not a valid HTTP header name.
    #[error("invalid header name {name:?}")]
    InvalidHeaderName {
        /// The rejected name.
        name: String,
    },
    /// An extra header value contains characters HTTP does not allow (the value is not repeated).
    #[error("invalid value for header {name:?} (value not shown)")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// The header is set by the notifier itself and cannot be configured.
    #[error("header {name:?} is set by the notifier and cannot be configured")]
    ReservedHeader {
        /// The header's name.
        name: String,
    },
    /// A required secret is empty.
    #[error("{what} is empty")]
    EmptySecret {
        /// Which secret.
        what: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
