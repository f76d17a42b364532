//! [`SourceFailure`]: why a scope could not be observed, in a form stores and messages keep.

use serde::{Deserialize, Serialize};

/// The class of an observation failure; tells the reader what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureClass {
    /// The credentials were rejected (401).
    Unauthorized,
    /// The credentials lack a permission (403, not rate-limited).
    Forbidden,
    /// The repository, organization or enterprise does not exist or is not visible (404).
    NotFound,
    /// GitHub's rate limit is exhausted.
    RateLimited,
    /// GitHub is unreachable, slow or answering 5xx.
    Unavailable,
    /// GitHub answered something that could not be understood.
    InvalidResponse,
    /// The listing changed while being paged and could not be completed.
    Incomplete,
    /// A complete listing lost all or most of the scope's known runners at once (the engine's
    /// suspect-listing rule): not believed until the drop persists.
    SuspectListing,
}

impl FailureClass {
    /// A stable snake_case name (`unauthorized`, `rate_limited`, ...), used in metrics and traces.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Unauthorized => "unauthorized",
            FailureClass::Forbidden => "forbidden",
            FailureClass::NotFound => "not_found",
            FailureClass::RateLimited => "rate_limited",
            FailureClass::Unavailable => "unavailable",
            FailureClass::InvalidResponse => "invalid_response",
            FailureClass::Incomplete => "incomplete",
            FailureClass::SuspectListing => "suspect_listing",
        }
    }

    /// What an operator should do about it, one sentence.
    pub fn advice(self) -> &'static str {
        match self {
            FailureClass::Unauthorized => {
                "token expired or invalid: renew GITHUB_TOKEN (or the GitHub App key)"
            }
            FailureClass::Forbidden => {
                "the token lacks the permission to list runners of this scope: grant it"
            }
            FailureClass::NotFound => {
                "no such repository/organization, or the token cannot see it: check the scope"
            }
            FailureClass::RateLimited => {
                "GitHub rate limit exhausted: monitoring resumes after the reset; poll less often"
            }
            FailureClass::Unavailable => "GitHub is unreachable or failing: usually transient",
            FailureClass::InvalidResponse => {
                "GitHub answered something unexpected: check the base URL and proxies"
            }
            FailureClass::Incomplete => {
                "the runner list kept changing while being read: usually transient"
            }
            FailureClass::SuspectListing => {
                "check that the token still sees this scope's runners (and that they were not \
                 moved); if they were really removed, the drop is accepted after \
                 suspect_drop.accept_after"
            }
        }
    }
}

impl std::fmt::Display for FailureClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed observation as stored and reported: its class and a message free of secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailure {
    /// What kind of failure.
    pub class: FailureClass,
    /// A readable message (never a token, key or credential-bearing URL).
    pub message: String,
}
