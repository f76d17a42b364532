//! [`ClientError`]: why a StatelyDB call failed, and how it becomes a core [`StoreError`].

use runner_monitor_core::StoreError;

use crate::connect::errors::{Code, ConnectError};

impl std::error::Error for ConnectError {}

/// Why a call to StatelyDB failed. Messages never contain the access key or a token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server (or a proxy in front of it) answered with an error.
    #[error("StatelyDB error: {0}")]
    Connect(ConnectError),
    /// The request did not get an answer (connection refused or reset, timeout).
    #[error("cannot reach StatelyDB: {0}")]
    Transport(String),
    /// The answer was not what the protocol says.
    #[error("unexpected answer from StatelyDB: {0}")]
    Protocol(String),
    /// A stored item could not be decoded.
    #[error("cannot decode a stored item: {0}")]
    Decode(String),
    /// The client is misconfigured.
    #[error("invalid StatelyDB configuration: {0}")]
    Config(String),
}

impl ClientError {
    /// Whether the same call may succeed if retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Connect(error) => error.is_retryable(),
            ClientError::Transport(_) => true,
            ClientError::Protocol(_) | ClientError::Decode(_) | ClientError::Config(_) => false,
        }
    }

    /// Whether the server rejected the credentials (Connect `unauthenticated`, HTTP 401).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ClientError::Connect(e) if e.code == Code::Unauthenticated)
    }

    /// Whether a transaction lost a race (StatelyDB `ConcurrentModification`).
    pub fn is_concurrent_modification(&self) -> bool {
        matches!(self, ClientError::Connect(e) if e.is_concurrent_modification())
    }

    /// The Connect code, for errors the server answered.
    pub fn code(&self) -> Option<Code> {
        match self {
            ClientError::Connect(error) => Some(error.code),
            _ => None,
        }
    }

    pub(crate) fn transport(error: &reqwest::Error) -> Self {
        ClientError::Transport(describe(error))
    }

    /// Replaces every occurrence of `secret` in the message (a server echoing a credential).
    pub(crate) fn scrub(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let mut redactor = runner_monitor_http::Redactor::default();
        redactor.add_str(secret);
        let clean = |text: String| redactor.apply(&text);
        match self {
            ClientError::Connect(mut error) => {
                error.message = clean(error.message);
                if let Some(details) = error.details.as_mut() {
                    details.message = clean(std::mem::take(&mut details.message));
                    details.upstream_cause = clean(std::mem::take(&mut details.upstream_cause));
                }
                ClientError::Connect(error)
            }
            ClientError::Transport(m) => ClientError::Transport(clean(m)),
            ClientError::Protocol(m) => ClientError::Protocol(clean(m)),
            ClientError::Decode(m) => ClientError::Decode(clean(m)),
            ClientError::Config(m) => ClientError::Config(clean(m)),
        }
    }
}

impl From<ConnectError> for ClientError {
    fn from(error: ConnectError) -> Self {
        ClientError::Connect(error)
    }
}

/// A reqwest error and its causes on one line, without the URL.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    if let Some(cause) = std::error::Error::source(error) {
        text.push_str(": ");
        text.push_str(&runner_monitor_http::error_chain(cause));
    }
    text
}

impl From<ClientError> for StoreError {
    fn from(error: ClientError) -> Self {
        let message = error.to_string();
        match &error {
            ClientError::Connect(e) if e.is_retryable() => StoreError::Unavailable { message },
            ClientError::Connect(e)
                if matches!(e.code, Code::Unauthenticated | Code::PermissionDenied) =>
            {
                StoreError::Unauthorized { message }
            }
            ClientError::Transport(_) => StoreError::Unavailable { message },
            ClientError::Protocol(_) | ClientError::Decode(_) => StoreError::Corrupt { message },
            _ => StoreError::Other { message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::errors::StatelyErrorDetails;

    fn connect(code: Code, stately: &str) -> ClientError {
        ClientError::Connect(ConnectError {
            code,
            message: "m".into(),
            details: Some(StatelyErrorDetails {
                stately_code: stately.into(),
                ..StatelyErrorDetails::default()
            }),
        })
    }

    #[test]
    fn store_error_classes() {
        let retry = StoreError::from(connect(Code::ResourceExhausted, "StoreThroughputExceeded"));
        assert!(matches!(retry, StoreError::Unavailable { .. }) && retry.is_retryable());
        let denied = StoreError::from(connect(Code::PermissionDenied, ""));
        assert!(matches!(denied, StoreError::Unauthorized { .. }) && !denied.is_retryable());
        let auth = StoreError::from(connect(Code::Unauthenticated, ""));
        assert!(matches!(auth, StoreError::Unauthorized { .. }));
        let precondition =
            StoreError::from(connect(Code::FailedPrecondition, "ConditionalCheckFailed"));
        assert!(matches!(precondition, StoreError::Other { .. }) && !precondition.is_retryable());
        assert!(matches!(
            StoreError::from(ClientError::Transport("reset".into())),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            StoreError::from(ClientError::Decode("bad".into())),
            StoreError::Corrupt { .. }
        ));
    }

    #[test]
    fn scrub_removes_a_secret_everywhere() {
        let error = ClientError::Connect(ConnectError {
            code: Code::Unauthenticated,
            message: "bad key sk-123".into(),
            details: Some(StatelyErrorDetails {
                message: "sk-123".into(),
                upstream_cause: "key sk-123 unknown".into(),
                ..StatelyErrorDetails::default()
            }),
        })
        .scrub("sk-123");
        assert!(!format!("{error} {error:?}").contains("sk-123"));
    }
}
