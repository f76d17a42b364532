//! Fault injection: failing calls, added latency and forced commit conflicts.

use std::sync::Mutex;
use std::time::Duration;

use super::error::{Code, ConnectError};
use super::stats::Method;

/// What an injected failure looks like to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Connect `unavailable` (HTTP 503 for unary calls).
    Unavailable,
    /// Any Connect error with its StatelyDB code.
    Error(ConnectError),
    /// A bare HTTP response that is not Connect at all (a proxy's 502, say).
    RawHttp {
        /// HTTP status.
        status: u16,
        /// Body text.
        body: String,
    },
}

impl Fault {
    /// A Connect error with a given code and StatelyDB code.
    pub fn code(code: Code, stately_code: &str, message: impl Into<String>) -> Self {
        Fault::Error(ConnectError::stately(code, stately_code, message))
    }
}

#[derive(Debug)]
struct Pending {
    method: Option<Method>,
    remaining: usize,
    fault: Fault,
}

#[derive(Debug, Default)]
struct State {
    pending: Vec<Pending>,
    latency: Vec<(Option<Method>, Duration)>,
    conflicts: usize,
}

/// Fault injection controls, shared by the emulator and the test (see `Emulator::faults`).
#[derive(Debug, Default)]
pub struct Faults(Mutex<State>);

impl Faults {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Fails the next `n` calls of any method with `fault`.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        self.with(|s| {
            s.pending.push(Pending {
                method: None,
                remaining: n,
                fault,
            });
        });
    }

    /// Fails the next `n` calls of `method` with `fault`.
    pub fn fail_next_on(&self, method: Method, n: usize, fault: Fault) {
        self.with(|s| {
            s.pending.push(Pending {
                method: Some(method),
                remaining: n,
                fault,
            });
        });
    }

    /// Delays every call by `delay` (replacing any earlier global latency).
    pub fn set_latency(&self, delay: Duration) {
        self.with(|s| {
            s.latency.retain(|(m, _)| m.is_some());
            s.latency.push((None, delay));
        });
    }

    /// Delays every call of `method` by `delay` (added to the global latency).
    pub fn set_latency_on(&self, method: Method, delay: Duration) {
        self.with(|s| {
            s.latency.retain(|(m, _)| *m != Some(method));
            s.latency.push((Some(method), delay));
        });
    }

    /// Makes the next `n` transaction commits fail with ConcurrentModification.
    pub fn conflict_next_commits(&self, n: usize) {
        self.with(|s| s.conflicts += n);
    }

    /// Removes every pending fault, latency and forced conflict.
    pub fn clear(&self) {
        self.with(|s| *s = State::default());
    }

    /// Takes the fault for a call of `method`, if one is pending.
    pub(crate) fn take(&self, method: Method) -> Option<Fault> {
        self.with(|s| {
            let i = s
                .pending
                .iter()
                .position(|p| p.remaining > 0 && p.method.is_none_or(|m| m == method))?;
            let p = &mut s.pending[i];
            p.remaining -= 1;
            let fault = p.fault.clone();
            if p.remaining == 0 {
                s.pending.remove(i);
            }
            Some(fault)
        })
    }

    /// The latency to add to a call of `method`.
    pub(crate) fn latency(&self, method: Method) -> Duration {
        self.with(|s| {
            s.latency
                .iter()
                .filter(|(m, _)| m.is_none_or(|m| m == method))
                .map(|(_, d)| *d)
                .sum()
        })
    }

    /// Takes one forced conflict, if any.
    pub(crate) fn take_conflict(&self) -> bool {
        self.with(|s| {
            if s.conflicts > 0 {
                s.conflicts -= 1;
                true
            } else {
                false
            }
        })
    }
}
