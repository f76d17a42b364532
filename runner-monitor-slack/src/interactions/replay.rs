//! Refuses a signed request seen before. The signature check refuses anything older than 5
//! minutes; within those 5 minutes, a captured button click could be sent again, and buttons
//! change state (acknowledge, silence). Each accepted signature is remembered for 10 minutes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use runner_monitor_core::Timestamp;

/// How long a signature is remembered, seconds (twice the signature's 300 s window).
const REMEMBER_SECS: i64 = 600;
/// Signatures remembered at most; beyond, the oldest are dropped (a click storm cannot grow
/// memory without bound).
const CAPACITY: usize = 10_000;

/// The signatures seen recently.
#[derive(Debug, Default)]
pub(crate) struct ReplayGuard {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    /// Records `signature` at `now`; `false` if it was seen within the last 10 minutes.
    pub(crate) fn first_time(&self, signature: &str, now: Timestamp) -> bool {
        let now = now.timestamp();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= CAPACITY {
            seen.retain(|_, at| now - *at < REMEMBER_SECS);
        }
        if seen.len() >= CAPACITY
            && let Some(oldest) = seen
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(k, _)| k.clone())
        {
            seen.remove(&oldest);
        }
        match seen.get(signature) {
            Some(at) if now - *at < REMEMBER_SECS => false,
            _ => {
                seen.insert(signature.to_owned(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use runner_monitor_core::testing::at;

    use super::*;

    #[test]
    fn a_signature_is_accepted_once_within_ten_minutes() {
        let guard = ReplayGuard::default();
        assert!(guard.first_time("v0=a", at(0)));
        assert!(!guard.first_time("v0=a", at(299)));
        assert!(guard.first_time("v0=b", at(299)));
        assert!(guard.first_time("v0=a", at(601)));
    }

    #[test]
    fn memory_is_bounded() {
        let guard = ReplayGuard::default();
        for i in 0..(CAPACITY + 50) {
            assert!(guard.first_time(&format!("v0={i}"), at(0)));
        }
        let len = guard.seen.lock().map(|s| s.len()).unwrap_or_default();
        assert!(len <= CAPACITY);
    }
}
