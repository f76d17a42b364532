//! `/runner-history <runner>` when several scopes are watched: the runner's own scope when the
//! name is unique, the candidates when it is not, close existing names when it is nowhere.

mod common;

use std::sync::Arc;

use runner_monitor_core::testing::at;
use runner_monitor_core::{RunnerStatus, Scope};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlashResponse;
use runner_monitor_slack::fake::validate_message;

use common::slash::*;

fn scopes() -> Vec<Scope> {
    vec![
        Scope::org("acme"),
        Scope::repo("acme", "api"),
        Scope::enterprise("big"),
    ]
}

/// org:acme: org-0..org-199 (org-150 has two outages, one ongoing) and build-1 (Offline);
/// acme/api: build-1 (Idle), build-2; enterprise:big: gpu-1.
async fn store() -> MemoryStore {
    let store = MemoryStore::new();
    let mut org: Vec<_> = (0..200)
        .map(|i| runner(&format!("org-{i}"), RunnerStatus::Idle, at(100)))
        .collect();
    org.push(runner("build-1", RunnerStatus::Offline, at(80_000)));
    org[150] = runner("org-150", RunnerStatus::Offline, at(80_000));
    let outages = vec![
        outage("org-150", 1, at(3_600), Some(at(3_725))),
        outage("org-150", 2, at(80_000), None),
    ];
    seed(&store, &Scope::org("acme"), observed_record(), org, outages).await;
    seed(
        &store,
        &Scope::repo("acme", "api"),
        observed_record(),
        vec![
            runner("build-1", RunnerStatus::Idle, at(100)),
            runner("build-2", RunnerStatus::Idle, at(100)),
        ],
        vec![],
    )
    .await;
    seed(
        &store,
        &Scope::enterprise("big"),
        observed_record(),
        vec![runner("gpu-1", RunnerStatus::Busy, at(100))],
        vec![],
    )
    .await;
    store
}

fn ok_text(response: &SlashResponse) -> String {
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(response.body["response_type"], "ephemeral");
    assert_eq!(validate_message(&response.body), Ok(()));
    plain(response)
}

#[tokio::test]
async fn a_unique_name_finds_its_scope() {
    let (commands, counts) = commands(Arc::new(store().await), scopes());
    let text = ok_text(&run(&commands, "/runner-history", "org-150").await);
    assert!(text.contains("Outage history: org-150"), "{text}");
    assert!(
        text.contains("Last 2 outages of org-150 in org:acme"),
        "{text}"
    );
    assert!(text.contains("Ended: Ongoing"), "{text}");
    assert!(
        !text.contains("name one") && !text.contains("acme/api"),
        "{text}"
    );
    let counts = counts.counts();
    assert_eq!(
        (counts.loads, counts.other_reads, counts.writes()),
        (3, 1, 0),
        "one load per scope, one outages read"
    );
}

#[tokio::test]
async fn a_unique_name_without_outages_says_it_is_fine_in_its_scope() {
    let (commands, counts) = commands(Arc::new(store().await), scopes());
    let text = ok_text(&run(&commands, "/runner-history", "gpu-1").await);
    assert!(
        text.contains("gpu-1 in enterprise:big has no recorded outages; it is Busy now"),
        "{text}"
    );
    assert_eq!((counts.counts().loads, counts.counts().other_reads), (3, 1));
}

#[tokio::test]
async fn a_name_in_several_scopes_lists_the_candidates() {
    let (commands, counts) = commands(Arc::new(store().await), scopes());
    let text = ok_text(&run(&commands, "/runner-history", "build-1").await);
    assert!(text.contains("build-1 exists in 2 scopes"), "{text}");
    assert!(
        text.contains("• /runner-history build-1 org:acme (Offline now)"),
        "{text}"
    );
    assert!(
        text.contains("• /runner-history build-1 acme/api (Idle now)"),
        "{text}"
    );
    assert!(!text.contains("enterprise:big"), "not a candidate: {text}");
    assert_eq!((counts.counts().loads, counts.counts().other_reads), (3, 0));
}

#[tokio::test]
async fn a_name_found_nowhere_suggests_only_existing_names_with_their_scopes() {
    let (commands, counts) = commands(Arc::new(store().await), scopes());
    let text = ok_text(&run(&commands, "/runner-history", "biuld-2").await);
    assert!(
        text.contains("Couldn't find a runner named biuld-2 in any of the 3 watched scopes"),
        "{text}"
    );
    assert!(
        text.contains("Did you mean build-2 (in acme/api)"),
        "{text}"
    );
    assert!(!text.contains("build-2 (in org:acme"), "{text}");
    // a name in two scopes is suggested with both
    let text = ok_text(&run(&commands, "/runner-history", "BUILD-1").await);
    assert!(
        text.contains("Did you mean build-1 (in org:acme, acme/api)"),
        "{text}"
    );
    // nothing similar: no suggestion, a pointer instead
    let text = ok_text(&run(&commands, "/runner-history", "zzzzzzzz").await);
    assert!(!text.contains("Did you mean"), "{text}");
    assert!(text.contains("/runner-status lists"), "{text}");
    assert_eq!((counts.counts().loads, counts.counts().other_reads), (9, 0));
}

#[tokio::test]
async fn a_named_scope_keeps_working_with_one_read() {
    let (commands, counts) = commands(Arc::new(store().await), scopes());
    let text = ok_text(&run(&commands, "/runner-history", "build-1 acme/api").await);
    assert!(
        text.contains("build-1 in acme/api has no recorded outages; it is Idle now"),
        "{text}"
    );
    let text = ok_text(&run(&commands, "/runner-history", "org:acme org-150").await);
    assert!(
        text.contains("Last 2 outages of org-150 in org:acme"),
        "{text}"
    );
    // 1 outages + 1 load (to say it has none), then 1 outages
    assert_eq!((counts.counts().loads, counts.counts().other_reads), (1, 2));
}

#[tokio::test]
async fn store_failure_everywhere_is_a_friendly_try_again() {
    let (commands, _) = commands(Arc::new(FailingStore), scopes());
    let response = run(&commands, "/runner-history", "build-1").await;
    let body = response.body.to_string();
    assert!(body.contains("try again"), "{body}");
    assert!(!body.contains(INTERNAL_DETAIL), "{body}");
}

#[tokio::test]
async fn an_unreadable_scope_is_named_when_the_runner_is_not_found_elsewhere() {
    let store = FailOneScope {
        inner: Arc::new(store().await),
        failing: Scope::repo("acme", "api"),
    };
    let (commands, _) = commands(Arc::new(store), scopes());
    // found in the readable scope
    let text = ok_text(&run(&commands, "/runner-history", "org-150").await);
    assert!(text.contains("Outage history: org-150"), "{text}");
    // only in the unreadable one
    let text = ok_text(&run(&commands, "/runner-history", "build-2").await);
    assert!(
        text.contains("Couldn't find a runner named build-2"),
        "{text}"
    );
    assert!(
        text.contains("One scope could not be read just now (acme/api)"),
        "{text}"
    );
    assert!(!text.contains(INTERNAL_DETAIL), "{text}");
}
