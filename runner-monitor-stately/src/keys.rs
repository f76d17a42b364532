//! Key paths of this store's items (the original's for the original's types). String ids are
//! escaped as StatelyDB does: `%` -> `%%`, `/` -> `%/`; integers are decimal.
//!
//! | item | key path |
//! |---|---|
//! | Repository | `/repo-:repoId` |
//! | Runner | `/repo-:repoId/runner-:name` |
//! | OutageEvent | `/repo-:repoId/history-:runnerId/outage-:outageId` |
//! | OutageCounter | `/repo-:repoId/counter-:runnerName` |
//! | Delivery | `/repo-:repoId/delivery-:seq` |
//! | ScopeIndex | `/index-:indexId/scope-:repoId` |
//! | Receipt | `/receipts-:sink/receipt-:key` |
//! | Silence | `/index-:indexId/silence-:silenceId` |

/// Escapes a string id for a key path.
///
/// # Examples
/// ```
/// use runner_monitor_stately::keys::escape;
/// assert_eq!(escape("acme/api"), "acme%/api");
/// assert_eq!(escape("100%"), "100%%");
/// assert_eq!(escape("org:acme"), "org:acme");
/// ```
pub fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    for c in id.chars() {
        if matches!(c, '%' | '/') {
            out.push('%');
        }
        out.push(c);
    }
    out
}

/// `/repo-:repoId`: the scope's item and the group key of everything in the scope.
pub fn repo(repo_id: &str) -> String {
    format!("/repo-{}", escape(repo_id))
}

/// `/repo-:repoId/runner-:name`.
pub fn runner(repo_id: &str, name: &str) -> String {
    format!("{}/runner-{}", repo(repo_id), escape(name))
}

/// `/repo-:repoId/history-:runnerId/outage-:outageId`.
pub fn outage(repo_id: &str, runner_id: u64, outage_id: u64) -> String {
    format!("{}-{outage_id}", history_prefix(repo_id, runner_id))
}

/// `/repo-:repoId/history-:runnerId/outage`: the outages recorded under one GitHub id.
pub fn history_prefix(repo_id: &str, runner_id: u64) -> String {
    format!("{}/history-{runner_id}/outage", repo(repo_id))
}

/// `/repo-:repoId/counter-:runnerName`.
pub fn counter(repo_id: &str, runner_name: &str) -> String {
    format!("{}/counter-{}", repo(repo_id), escape(runner_name))
}

/// `/repo-:repoId/delivery-:seq`.
pub fn delivery(repo_id: &str, seq: u64) -> String {
    format!("{}-{seq}", deliveries_prefix(repo_id))
}

/// `/repo-:repoId/delivery`: the scope's outbox.
pub fn deliveries_prefix(repo_id: &str) -> String {
    format!("{}/delivery", repo(repo_id))
}

/// `/index-:indexId`: the group of the scope index.
pub fn index(index_id: &str) -> String {
    format!("/index-{}", escape(index_id))
}

/// `/index-:indexId/scope-:repoId`.
pub fn scope_index(index_id: &str, repo_id: &str) -> String {
    format!("{}/scope-{}", index(index_id), escape(repo_id))
}

/// `/receipts-:sink`: the group of one sink's message receipts.
pub fn receipts(sink: &str) -> String {
    format!("/receipts-{}", escape(sink))
}

/// `/receipts-:sink/receipt-:key`.
pub fn receipt(sink: &str, key: &str) -> String {
    format!("{}/receipt-{}", receipts(sink), escape(key))
}

/// `/index-:indexId/silence-:silenceId`.
pub fn silence(index_id: &str, silence_id: &str) -> String {
    format!("{}/silence-{}", index(index_id), escape(silence_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_original_templates() {
        assert_eq!(repo("acme/api"), "/repo-acme%/api");
        assert_eq!(
            runner("acme/api", "build-1"),
            "/repo-acme%/api/runner-build-1"
        );
        assert_eq!(
            outage("acme/api", 42, 3),
            "/repo-acme%/api/history-42/outage-3"
        );
        assert_eq!(counter("org:acme", "a/b"), "/repo-org:acme/counter-a%/b");
        assert_eq!(
            delivery("enterprise:big", 17),
            "/repo-enterprise:big/delivery-17"
        );
        assert_eq!(
            scope_index("default", "acme/api"),
            "/index-default/scope-acme%/api"
        );
    }

    #[test]
    fn escaping_keeps_distinct_ids_distinct() {
        // Without escaping, `a/b` + runner `c` and `a` + runner `b/c` could meet.
        assert_ne!(runner("a/b", "c"), runner("a", "b/c"));
        assert_eq!(escape("%/"), "%%%/");
        assert_eq!(escape("50%/x"), "50%%%/x");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn history_prefix_does_not_match_longer_ids() {
        let prefix = history_prefix("o/r", 7);
        assert!(outage("o/r", 7, 1).starts_with(&prefix));
        assert!(!outage("o/r", 70, 1).starts_with(&prefix));
    }
}
