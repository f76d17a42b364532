//! Loads several scopes with bounded concurrency: one `load` per scope, in parallel so that a
//! multi-scope answer takes about as long as the slowest scope, not the sum of them.

use std::sync::Arc;

use runner_monitor_core::{Scope, ScopeState, Store, StoreError};
use tokio::task::JoinSet;

/// Scopes loaded at the same time (keeps a large configuration from flooding the store).
const MAX_CONCURRENT_LOADS: usize = 8;

/// Each scope's state, in the order of `scopes`. Exactly one [`Store::load`] per scope; a failed
/// load is returned as its error and does not stop the others. The loads run as tasks that are
/// aborted if the returned future is dropped.
pub(crate) async fn load_all(
    store: &Arc<dyn Store>,
    scopes: &[Scope],
) -> Vec<(Scope, Result<ScopeState, StoreError>)> {
    let mut results: Vec<Option<Result<ScopeState, StoreError>>> =
        scopes.iter().map(|_| None).collect();
    let mut tasks = JoinSet::new();
    let mut next = 0;
    loop {
        while next < scopes.len() && tasks.len() < MAX_CONCURRENT_LOADS {
            let store = Arc::clone(store);
            let scope = scopes[next].clone();
            let index = next;
            tasks.spawn(async move { (index, store.load(&scope).await) });
            next += 1;
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        // A panicking store task leaves its slot empty; it is reported as unavailable below.
        if let Ok((index, result)) = joined {
            results[index] = Some(result);
        }
    }
    scopes
        .iter()
        .cloned()
        .zip(results)
        .map(|(scope, result)| {
            let result = result.unwrap_or_else(|| {
                Err(StoreError::Unavailable {
                    message: "the load task failed".to_owned(),
                })
            });
            (scope, result)
        })
        .collect()
}
