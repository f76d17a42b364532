//! The id-set fingerprint of each scope's last accepted listing (bounded).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use runner_monitor_core::Scope;

/// Scope -> fingerprint of its last accepted listing.
#[derive(Debug)]
pub(crate) struct Fingerprints {
    map: Mutex<HashMap<Scope, u64>>,
    capacity: usize,
}

impl Fingerprints {
    pub(crate) fn new(capacity: usize) -> Self {
        Fingerprints {
            map: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    pub(crate) fn get(&self, scope: &Scope) -> Option<u64> {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(scope)
            .copied()
    }

    /// Remembers `fingerprint`; when full, forgets some other scope (it then gets verified once).
    pub(crate) fn insert(&self, scope: &Scope, fingerprint: u64) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if !map.contains_key(scope)
            && map.len() >= self.capacity
            && let Some(victim) = map.keys().next().cloned()
        {
            map.remove(&victim);
        }
        map.insert(scope.clone(), fingerprint);
    }
}
