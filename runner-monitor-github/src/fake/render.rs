//! How the fake writes pages: GitHub's JSON, weak ETags, and `link` headers.

use std::hash::{DefaultHasher, Hasher};

use runner_monitor_core::{ListedStatus, ObservedRunner, Scope};
use serde_json::{Value, json};

/// Labels GitHub assigns itself (`read-only`); the rest are `custom`.
const DEFAULT_LABELS: [&str; 7] = [
    "self-hosted",
    "linux",
    "macos",
    "windows",
    "x64",
    "arm64",
    "arm",
];

/// A runner as GitHub's REST API writes it (with a field the client does not know, `version`).
pub(crate) fn runner_json(runner: &ObservedRunner) -> Value {
    let labels: Vec<Value> = runner
        .labels
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let kind = if DEFAULT_LABELS.contains(&name.to_ascii_lowercase().as_str()) {
                "read-only"
            } else {
                "custom"
            };
            json!({"id": index + 1, "name": name, "type": kind})
        })
        .collect();
    let mut value = json!({
        "id": runner.id,
        "name": runner.name,
        "os": runner.os,
        "status": match runner.status {
            ListedStatus::Online => "online",
            ListedStatus::Offline => "offline",
        },
        "busy": runner.busy,
        "ephemeral": runner.ephemeral,
        "labels": labels,
        "version": "2.321.0",
    });
    if let (Some(group), Some(object)) = (runner.group_id, value.as_object_mut()) {
        object.insert("runner_group_id".into(), json!(group));
    }
    value
}

/// A page body: `{"total_count", "runners"}`, optionally without `missing` in each runner.
pub(crate) fn page_body(
    total: usize,
    runners: &[ObservedRunner],
    missing: Option<&str>,
) -> Vec<u8> {
    let runners: Vec<Value> = runners
        .iter()
        .map(|runner| {
            let mut value = runner_json(runner);
            if let (Some(field), Some(object)) = (missing, value.as_object_mut()) {
                object.remove(field);
            }
            value
        })
        .collect();
    serde_json::to_vec(&json!({"total_count": total, "runners": runners})).unwrap_or_default()
}

/// A weak ETag of a body as served to `token`, as GitHub sends them: the same page has another
/// ETag for another token.
pub(crate) fn etag(token: &str, body: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    hasher.write(token.as_bytes());
    hasher.write_u8(0);
    hasher.write(body);
    format!("W/\"{:016x}\"", hasher.finish())
}

/// `If-None-Match` matches `etag` (weak comparison, lists, `*`).
pub(crate) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = strip(etag);
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || strip(candidate) == wanted)
}

/// The listing path of `scope` below the API root.
pub(crate) fn scope_path(scope: &Scope) -> String {
    match scope {
        Scope::Repo { owner, name } => format!("/repos/{owner}/{name}/actions/runners"),
        Scope::Org(org) => format!("/orgs/{org}/actions/runners"),
        Scope::Enterprise(slug) => format!("/enterprises/{slug}/actions/runners"),
        // Pools are never listed; a path no real listing uses.
        Scope::Pool(name) => format!("/runner-monitor/pools/{name}"),
    }
}

/// GitHub's `link` header for `page` of `last` (absent when there is one page).
pub(crate) fn link_header(
    base: &str,
    scope: &Scope,
    per_page: usize,
    page: usize,
    last: usize,
) -> Option<String> {
    if last <= 1 {
        return None;
    }
    let url = |n: usize| format!("<{base}{}?per_page={per_page}&page={n}>", scope_path(scope));
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    Some(links.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_weakly_and_in_lists() {
        let tag = etag("t", b"body");
        assert!(etag_matches(&tag, &tag));
        assert!(etag_matches(tag.trim_start_matches("W/"), &tag));
        assert!(etag_matches(&format!("\"x\", {tag}"), &tag));
        assert!(etag_matches("*", &tag));
        assert!(!etag_matches(&etag("t", b"other"), &tag));
        assert!(
            !etag_matches(&etag("another token", b"body"), &tag),
            "ETags are bound to the token"
        );
    }

    #[test]
    fn links_like_github() {
        let scope = Scope::org("a");
        assert_eq!(link_header("http://h", &scope, 100, 1, 1), None);
        let first = link_header("http://h", &scope, 100, 1, 3).expect("links");
        assert!(
            first.contains("<http://h/orgs/a/actions/runners?per_page=100&page=2>; rel=\"next\"")
        );
        let last = link_header("http://h", &scope, 100, 3, 3).expect("links");
        assert!(!last.contains("rel=\"next\""));
        assert!(last.contains("rel=\"prev\""));
    }
}
