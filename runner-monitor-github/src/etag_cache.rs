//! A bounded cache of pages by URL: the `etag` GitHub gave and what the page said, so a
//! conditional request answered `304 Not Modified` can reuse it. Least recently used pages go
//! first when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

#[derive(Debug)]
struct Entry<V> {
    etag: String,
    value: Arc<V>,
    used: u64,
}

#[derive(Debug)]
struct Inner<V> {
    entries: HashMap<String, Entry<V>>,
    tick: u64,
}

/// Page URL -> (etag, page). Capacity 0 disables caching.
#[derive(Debug)]
pub(crate) struct EtagCache<V> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
}

impl<V> EtagCache<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        EtagCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                tick: 0,
            }),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<V>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The etag and value remembered for `url`, marking it recently used.
    pub(crate) fn get(&self, url: &str) -> Option<(String, Arc<V>)> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner.entries.get_mut(url)?;
        entry.used = tick;
        Some((entry.etag.clone(), Arc::clone(&entry.value)))
    }

    /// Remembers `value` under `url`, evicting the least recently used page when full.
    pub(crate) fn insert(&self, url: &str, etag: String, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let used = inner.tick;
        if !inner.entries.contains_key(url) && inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        inner
            .entries
            .insert(url.to_owned(), Entry { etag, value, used });
    }

    /// Forgets `url`.
    pub(crate) fn remove(&self, url: &str) {
        self.lock().entries.remove(url);
    }

    /// Pages remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_evicts_the_least_recently_used() {
        let cache = EtagCache::new(2);
        cache.insert("a", "\"1\"".into(), Arc::new(1));
        cache.insert("b", "\"2\"".into(), Arc::new(2));
        assert_eq!(
            cache.get("a").map(|(etag, v)| (etag, *v)),
            Some(("\"1\"".into(), 1))
        );
        cache.insert("c", "\"3\"".into(), Arc::new(3));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("b").is_none(), "b was least recently used");
        assert!(cache.get("a").is_some());
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn replacing_does_not_evict_and_remove_forgets() {
        let cache = EtagCache::new(2);
        cache.insert("a", "1".into(), Arc::new(1));
        cache.insert("b", "2".into(), Arc::new(2));
        cache.insert("a", "3".into(), Arc::new(3));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("a").map(|(etag, _)| etag), Some("3".into()));
        cache.remove("a");
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn zero_capacity_disables() {
        let cache = EtagCache::new(0);
        cache.insert("a", "1".into(), Arc::new(1));
        assert!(cache.get("a").is_none());
    }
}
