//! The [`RunnerSource`] port: where runner listings come from.

use std::time::Duration;

use async_trait::async_trait;

use crate::model::{FailureClass, Observation, Scope, SourceFailure};

/// Lists the self-hosted runners of a scope.
///
/// # Contract
/// - `observe` MUST return either the *complete* list of the scope's runners, each name at most
///   once, or an error. It MUST NOT return a partial list (a listing that changed while being paged
///   is re-read or reported as [`SourceError::Incomplete`]): a runner missing from an `Ok`
///   observation is taken to be gone.
/// - Errors MUST NOT carry secrets (tokens, keys, credential-bearing URLs).
/// - `observe` MAY be called concurrently for different scopes.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RunnerSource: Send + Sync + std::fmt::Debug {
    /// Lists every runner of `scope`.
    ///
    /// # Errors
    /// A [`SourceError`] saying why the complete list could not be had.
    async fn observe(&self, scope: &Scope) -> Result<Observation, SourceError>;
}

/// Why a scope could not be observed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// Credentials rejected (HTTP 401).
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// Details, free of secrets.
        message: String,
    },
    /// Credentials lack a permission (HTTP 403, not rate-limited).
    #[error("forbidden: {message}")]
    Forbidden {
        /// Details, naming the permission needed.
        message: String,
    },
    /// No such scope, or not visible with these credentials (HTTP 404).
    #[error("not found: {message}")]
    NotFound {
        /// Details.
        message: String,
    },
    /// Rate-limited; do not ask again before `retry_after` has passed.
    #[error("rate limited: retry after {}s", retry_after.as_secs())]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// Unreachable, timed out or a server error (5xx).
    #[error("unavailable: {message}")]
    Unavailable {
        /// Details.
        message: String,
    },
    /// The answer could not be understood (malformed JSON, missing field).
    #[error("invalid response: {message}")]
    InvalidResponse {
        /// Details, naming the field.
        message: String,
    },
    /// The listing kept changing while being paged.
    #[error("incomplete listing: {message}")]
    Incomplete {
        /// Details.
        message: String,
    },
    /// A complete listing that lost all or most of the scope's known runners at once. Raised by
    /// the engine's suspect-listing rule (sources MAY return it too): it changes no runner.
    #[error("suspect listing: {message}")]
    SuspectListing {
        /// What was listed, e.g. "GitHub listed 0 of 250 known runners of org:acme; ...".
        message: String,
    },
}

impl SourceError {
    /// Whether trying again later may succeed without anyone changing configuration.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SourceError::RateLimited { .. }
                | SourceError::Unavailable { .. }
                | SourceError::Incomplete { .. }
                | SourceError::SuspectListing { .. }
        )
    }

    /// The class, for metrics and messages.
    pub fn class(&self) -> FailureClass {
        match self {
            SourceError::Unauthorized { .. } => FailureClass::Unauthorized,
            SourceError::Forbidden { .. } => FailureClass::Forbidden,
            SourceError::NotFound { .. } => FailureClass::NotFound,
            SourceError::RateLimited { .. } => FailureClass::RateLimited,
            SourceError::Unavailable { .. } => FailureClass::Unavailable,
            SourceError::InvalidResponse { .. } => FailureClass::InvalidResponse,
            SourceError::Incomplete { .. } => FailureClass::Incomplete,
            SourceError::SuspectListing { .. } => FailureClass::SuspectListing,
        }
    }

    /// The stored, reportable form.
    pub fn to_failure(&self) -> SourceFailure {
        SourceFailure {
            class: self.class(),
            message: self.to_string(),
        }
    }
}
