//! `/runner-status` (no scope) and `/runner-status-all` across several scopes: every scope's
//! counts, then the unhealthy runners, within Slack's limits, one store load per scope.

mod common;

use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{RunnerStatus, Scope};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlashResponse;
use runner_monitor_slack::blocks::MAX_BLOCKS;
use runner_monitor_slack::fake::validate_message;

use common::slash::*;

/// (scope, online, busy, offline, missing); offline runners have an open outage each.
fn shape() -> Vec<(Scope, usize, usize, usize, usize)> {
    vec![
        (Scope::org("acme"), 60, 60, 150, 30),
        (Scope::repo("acme", "api"), 100, 0, 100, 0),
        (Scope::enterprise("big"), 70, 30, 0, 0),
    ]
}

/// 600 runners with 40-character names over three scopes, 280 of them unhealthy.
async fn three_scopes() -> MemoryStore {
    let store = MemoryStore::new();
    for (scope, online, busy, offline, missing) in shape() {
        let prefix = format!("{:-<30}", scope.to_string().replace([':', '/'], "-"));
        let mut runners = Vec::new();
        let mut outages = Vec::new();
        let groups = [
            (RunnerStatus::Idle, online),
            (RunnerStatus::Busy, busy),
            (RunnerStatus::Offline, offline),
            (RunnerStatus::Unknown, missing),
        ];
        let mut i = 0;
        for (status, n) in groups {
            for _ in 0..n {
                let name = format!("{prefix}-{i:04}");
                if status == RunnerStatus::Offline {
                    runners.push(runner(&name, status, at(80_000)));
                    outages.push(outage(&name, 1, at(80_000), None));
                } else if status == RunnerStatus::Unknown {
                    runners.push(runner(&name, status, at(85_000)));
                } else {
                    runners.push(runner(&name, status, at(100)));
                }
                i += 1;
            }
        }
        seed(&store, &scope, observed_record(), runners, outages).await;
    }
    store
}

fn scopes() -> Vec<Scope> {
    shape().into_iter().map(|s| s.0).collect()
}

fn assert_valid(response: &SlashResponse) {
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(response.body["response_type"], "ephemeral");
    assert_eq!(validate_message(&response.body), Ok(()));
    assert!(blocks(response).len() <= MAX_BLOCKS);
    let text = plain(response);
    // the listing fits by construction: the limit enforcer had nothing to cut
    assert!(
        !text.contains("more lines") && !text.contains("more blocks") && !text.contains('…'),
        "{text}"
    );
}

/// The section of `scope`'s unhealthy runners: (runners listed, runners in the overflow line).
fn listed_and_left(text: &str, scope: &str, total: usize) -> (usize, usize) {
    let title = format!("Unhealthy in {scope} ({total})");
    let start = text
        .find(&title)
        .unwrap_or_else(|| panic!("{title}:\n{text}"));
    let mut listed = 0;
    let mut left = 0;
    for line in text[start..].lines().skip(1) {
        if line.starts_with("• ") {
            listed += 1;
        } else if let Some(rest) = line.strip_prefix("... and ") {
            left = rest
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{line}"));
            assert!(line.contains(&format!(" in {scope}")), "{line}");
            break;
        } else {
            break;
        }
    }
    (listed, left)
}

#[tokio::test]
async fn status_without_scope_summarizes_every_scope_within_limits_one_load_each() {
    let (commands, counts) = commands(Arc::new(three_scopes().await), scopes());
    let response = run(&commands, "/runner-status", "").await;
    assert_valid(&response);
    let text = plain(&response);
    assert!(text.contains("Runners of 3 scopes"), "{text}");
    if std::env::var_os("SHOW").is_some() {
        println!("{text}");
    }
    assert!(
        text.contains("3 scopes · 600 runners · 280 unhealthy · 250 open outages"),
        "{text}"
    );
    for (scope, online, busy, offline, missing) in shape() {
        let line = format!(
            "{scope}: {} runners: {online} online · {busy} busy · {offline} offline · {missing} \
             missing · {offline} open outages",
            online + busy + offline + missing
        );
        assert!(text.contains(&line), "{line}\n{text}");
        let unhealthy = offline + missing;
        if unhealthy == 0 {
            assert!(!text.contains(&format!("Unhealthy in {scope}")), "{text}");
            continue;
        }
        let (listed, left) = listed_and_left(&text, &scope.to_string(), unhealthy);
        assert!(listed >= 10, "{scope}: only {listed} listed\n{text}");
        assert!(left > 0, "{scope}: hundreds cannot all fit\n{text}");
        assert_eq!(listed + left, unhealthy, "{scope}\n{text}");
    }
    // since when, offline first
    let first = text.find("Unhealthy in org:acme").unwrap_or(usize::MAX);
    assert!(
        text[first..]
            .contains("\n• org-acme-----------------------0120 Offline for 1h 46m (outage #1)"),
        "offline first, by name, with since when:\n{text}"
    );
    assert!(
        text.contains("more unhealthy runners in org:acme (")
            && text.contains(" offline, 30 missing)"),
        "{text}"
    );
    assert!(text.contains("more offline runners in acme/api"), "{text}");
    let counts = counts.counts();
    assert_eq!(
        (counts.loads, counts.other_reads, counts.writes()),
        (3, 0, 0),
        "one load per scope"
    );
}

#[tokio::test]
async fn status_all_is_the_same_summary_and_a_named_scope_keeps_its_detail() {
    let (commands, counts) = commands(Arc::new(three_scopes().await), scopes());
    let all = run(&commands, "/runner-status-all", "").await;
    let status = run(&commands, "/runner-status", "").await;
    assert_eq!(all, status);
    assert_eq!(counts.counts().loads, 6);

    let one = run(&commands, "/runner-status", "api").await;
    assert_eq!(validate_message(&one.body), Ok(()));
    let text = plain(&one);
    assert!(text.contains("Runners of acme/api"), "{text}");
    assert!(
        text.contains("200 runners: 100 Offline · 100 Idle"),
        "{text}"
    );
    assert_eq!(counts.counts().loads, 7);
}

#[tokio::test]
async fn all_healthy_scopes_say_so() {
    let store = MemoryStore::new();
    let a = Scope::org("a");
    let b = Scope::org("b");
    seed(
        &store,
        &a,
        observed_record(),
        vec![runner("x", RunnerStatus::Idle, at(0))],
        vec![],
    )
    .await;
    let (commands, _) = commands(Arc::new(store), vec![a, b]);
    let response = run(&commands, "/runner-status", "").await;
    assert_valid(&response);
    let text = plain(&response);
    assert!(
        text.contains(
            "org:a: 1 runner: 1 online · 0 busy · 0 offline · 0 missing · 0 open outages"
        ),
        "{text}"
    );
    assert!(text.contains("org:b: 0 runners"), "{text}");
    assert!(text.contains("not observed yet"), "{text}");
    assert!(text.contains("All runners are healthy"), "{text}");
}

#[tokio::test]
async fn fifty_scopes_stay_within_limits_and_say_what_is_left_out() {
    let store = MemoryStore::new();
    let mut scopes = Vec::new();
    for s in 0..50 {
        let scope = Scope::org(format!("org-{s:02}"));
        let runners = (0..12)
            .map(|i| {
                runner(
                    &format!("runner-{s:02}-{i:02}"),
                    RunnerStatus::Offline,
                    at(80_000),
                )
            })
            .collect();
        seed(&store, &scope, observed_record(), runners, vec![]).await;
        scopes.push(scope);
    }
    let (commands, counts) = commands(Arc::new(store), scopes);
    let response = run(&commands, "/runner-status", "").await;
    assert_valid(&response);
    let text = plain(&response);
    assert!(
        text.contains("50 scopes · 600 runners · 600 unhealthy"),
        "{text}"
    );
    assert!(text.contains("org:org-00: 12 runners"), "{text}");
    assert!(text.contains("are not listed"), "{text}");
    assert_eq!(counts.counts().loads, 50);
}

#[tokio::test]
async fn store_failure_everywhere_is_a_friendly_try_again() {
    let (commands, _) = commands(Arc::new(FailingStore), scopes());
    let response = run(&commands, "/runner-status", "").await;
    assert_eq!(validate_message(&response.body), Ok(()));
    let body = response.body.to_string();
    assert!(body.contains("try again"), "{body}");
    assert!(!body.contains(INTERNAL_DETAIL), "{body}");
}

#[tokio::test]
async fn an_unreadable_scope_is_shown_as_such_and_the_others_still_answer() {
    let store = FailOneScope {
        inner: Arc::new(three_scopes().await),
        failing: Scope::repo("acme", "api"),
    };
    let (commands, counts) = commands(Arc::new(store), scopes());
    let response = run(&commands, "/runner-status", "").await;
    assert_valid(&response);
    let text = plain(&response);
    assert!(
        text.contains("3 scopes · 400 runners · 180 unhealthy"),
        "{text}"
    );
    assert!(text.contains("1 could not be read"), "{text}");
    assert!(
        text.contains("acme/api: :warning: could not be read just now"),
        "{text}"
    );
    assert!(text.contains("Unhealthy in org:acme (180)"), "{text}");
    assert!(!text.contains(INTERNAL_DETAIL), "{text}");
    assert_eq!(counts.counts().loads, 3);
}
