//! Request counters, so tests assert how many requests (and which answers) a behaviour costs.

use std::collections::BTreeMap;

/// What the fake has been asked since it started (or since
/// [`FakeGitHub::reset_requests`](super::FakeGitHub::reset_requests)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestStats {
    /// Every request, listings and token requests alike.
    pub total: u64,
    /// Runner-listing requests.
    pub listings: u64,
    /// Installation-token requests.
    pub token_requests: u64,
    /// Answers by HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// Listing requests carrying `If-None-Match`.
    pub conditional: u64,
    /// The most listing requests in flight at once.
    pub max_in_flight: usize,
}

impl RequestStats {
    /// Answers with HTTP `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// `304 Not Modified` answers.
    pub fn not_modified(&self) -> u64 {
        self.status(304)
    }

    /// Answers other than 304 (the ones GitHub counts against the rate limit).
    pub fn not_cached(&self) -> u64 {
        self.total - self.not_modified()
    }
}
