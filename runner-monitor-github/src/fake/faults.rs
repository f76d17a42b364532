//! [`Fault`]: misbehaviour to inject into the fake's runner listings.

use std::time::Duration;

use runner_monitor_core::Scope;

/// What a faulty answer does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer this HTTP status with a GitHub-style `{"message"}` body (500, 502, 503, 401, 403
    /// for a missing permission, 404, ...).
    Status(u16),
    /// A rate-limited answer: `status` 403 or 429, with `retry-after` when given, and
    /// `x-ratelimit-remaining: 0` plus a reset `reset_in` ahead when given.
    RateLimited {
        /// 403 or 429.
        status: u16,
        /// `retry-after` seconds.
        retry_after: Option<u64>,
        /// Report the budget exhausted, resetting this far ahead.
        reset_in: Option<Duration>,
    },
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// A 200 whose body is cut off mid-JSON.
    MalformedJson,
    /// A 200 whose runners lack this field.
    MissingField(String),
}

/// A fault injected with [`FakeGitHub::inject`](super::FakeGitHub::inject): applies to the next
/// `times` matching listing requests (default once).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: usize,
    pub(crate) scope: Option<Scope>,
    pub(crate) page: Option<usize>,
}

impl Fault {
    /// A fault of any kind.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            times: 1,
            scope: None,
            page: None,
        }
    }

    /// An HTTP status with a GitHub-style message (e.g. 503, or 403 for a missing permission).
    pub fn status(status: u16) -> Self {
        Fault::new(FaultKind::Status(status))
    }

    /// A 5xx.
    pub fn server_error(status: u16) -> Self {
        Fault::status(status)
    }

    /// A rate-limited answer (403 or 429) with an optional `retry-after`.
    pub fn rate_limited(status: u16, retry_after: Option<Duration>) -> Self {
        Fault::new(FaultKind::RateLimited {
            status,
            retry_after: retry_after.map(|wait| wait.as_secs()),
            reset_in: None,
        })
    }

    /// A primary-limit answer: 403, `x-ratelimit-remaining: 0`, reset `reset_in` ahead.
    pub fn rate_limit_exhausted(reset_in: Duration) -> Self {
        Fault::new(FaultKind::RateLimited {
            status: 403,
            retry_after: None,
            reset_in: Some(reset_in),
        })
    }

    /// A secondary-limit answer: 403 saying "secondary rate limit", no `retry-after`, budget left.
    pub fn secondary_rate_limit() -> Self {
        Fault::rate_limited(403, None)
    }

    /// A delay before a normal answer.
    pub fn slow(delay: Duration) -> Self {
        Fault::new(FaultKind::Slow(delay))
    }

    /// A truncated JSON body.
    pub fn malformed_json() -> Self {
        Fault::new(FaultKind::MalformedJson)
    }

    /// Runners missing `field`.
    pub fn missing_field(field: impl Into<String>) -> Self {
        Fault::new(FaultKind::MissingField(field.into()))
    }

    /// Applies to the next `times` matching requests.
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Applies to every matching request until [`FakeGitHub::clear_faults`](super::FakeGitHub::clear_faults).
    pub fn always(self) -> Self {
        self.times(usize::MAX)
    }

    /// Only for requests of `scope`.
    pub fn for_scope(mut self, scope: &Scope) -> Self {
        self.scope = Some(scope.clone());
        self
    }

    /// Only for page `page` (1-based).
    pub fn on_page(mut self, page: usize) -> Self {
        self.page = Some(page);
        self
    }

    pub(crate) fn matches(&self, scope: &Scope, page: usize) -> bool {
        self.times > 0
            && self.scope.as_ref().is_none_or(|only| only == scope)
            && self.page.is_none_or(|only| only == page)
    }
}

/// Takes one use of the first fault matching the request.
pub(crate) fn take(faults: &mut Vec<Fault>, scope: &Scope, page: usize) -> Option<FaultKind> {
    let index = faults.iter().position(|fault| fault.matches(scope, page))?;
    let fault = &mut faults[index];
    let kind = fault.kind.clone();
    if fault.times != usize::MAX {
        fault.times -= 1;
    }
    if fault.times == 0 {
        let _spent = faults.remove(index);
    }
    Some(kind)
}
