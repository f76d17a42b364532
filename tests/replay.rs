//! The replay tool's library part on the shipped sample trace and on malformed input.

use std::sync::Arc;

use runner_monitor::core::testing::RecordingNotifier;
use runner_monitor::core::{Policy, Store};
use runner_monitor::replay::{ReplayError, parse_line, parse_trace, replay};

const SAMPLE: &str = include_str!("../examples/traces/sample.jsonl");

#[tokio::test]
async fn sample_trace_tells_the_story_once() {
    let lines = parse_trace(SAMPLE.as_bytes()).expect("sample parses");
    assert_eq!(lines.len(), 18);
    let sink = Arc::new(RecordingNotifier::new());
    let store = replay(lines, Policy::default(), sink.clone())
        .await
        .expect("replay");
    // build-1 offline 12:01 -> opened 12:03 -> resolved 12:09; gpu-1 missing from the listings
    // of 12:04 and 12:05 -> deregistered (one notice, no outage; it registers anew at 12:10).
    // Silent: the ephemeral job leaving, build-2's self-update restart and re-registration, and
    // two minutes of GitHub errors.
    let since = chrono::DateTime::parse_from_rfc3339("2026-03-02T12:05:00Z")
        .expect("time")
        .timestamp();
    assert_eq!(
        sink.keys(),
        [
            "acme/api/runner:build-1/outage:1/outage_opened".to_owned(),
            format!("org:acme/removal/since:{since}/runners_removed"),
            "acme/api/runner:build-1/outage:1/outage_resolved".to_owned(),
        ]
    );
    let removal = sink
        .delivered()
        .into_iter()
        .find(|n| n.kind_name() == "runners_removed")
        .expect("removal");
    let runner_monitor::core::NotificationKind::RunnersRemoved {
        runners,
        deregistered,
        ..
    } = &removal.kind
    else {
        panic!("{removal:?}")
    };
    assert!(deregistered);
    assert_eq!(
        runners.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["gpu-1"]
    );
    let state = store
        .load(&"acme/api".parse().expect("scope"))
        .await
        .expect("load");
    assert_eq!(
        state.runners["build-2"].previous_ids,
        [2],
        "re-registration remembered"
    );
    assert!(
        !state.runners.contains_key("job-1"),
        "ephemeral runner forgotten"
    );
}

#[tokio::test]
async fn removed_runners_outage_reports_the_missing_runner_as_an_outage() {
    let lines = parse_trace(SAMPLE.as_bytes()).expect("sample parses");
    let sink = Arc::new(RecordingNotifier::new());
    replay(lines, legacy(), sink.clone()).await.expect("replay");
    // The behaviour before `removed_runners`: gpu-1 missing 12:04 -> outage 12:06 -> back 12:10.
    assert_eq!(
        sink.keys(),
        [
            "acme/api/runner:build-1/outage:1/outage_opened",
            "org:acme/runner:gpu-1/outage:1/outage_opened",
            "acme/api/runner:build-1/outage:1/outage_resolved",
            "org:acme/runner:gpu-1/outage:1/outage_resolved",
        ]
    );
}

/// The default policy with `removed_runners = "outage"`.
fn legacy() -> Policy {
    Policy {
        removed_runners: runner_monitor::core::RemovedRunners::Outage,
        ..Policy::default()
    }
}

#[tokio::test]
async fn a_longer_open_after_silences_the_short_outage() {
    let lines = parse_trace(SAMPLE.as_bytes()).expect("sample parses");
    let sink = Arc::new(RecordingNotifier::new());
    let policy = Policy {
        open_after: std::time::Duration::from_secs(600),
        ..legacy()
    };
    replay(lines, policy, sink.clone()).await.expect("replay");
    assert!(sink.keys().is_empty(), "{:?}", sink.keys());
}

const POOL: &str = include_str!("../examples/traces/pool_gpu.jsonl");
const POOL_POLICY: &str = include_str!("../examples/traces/pool_gpu.toml");

#[tokio::test]
async fn a_gpu_pool_over_two_repositories_opens_and_resolves_once() {
    let lines = parse_trace(POOL.as_bytes()).expect("pool trace parses");
    let policy: Policy = toml::from_str(POOL_POLICY).expect("pool policy parses");
    let sink = Arc::new(RecordingNotifier::new());
    replay(lines, policy, sink.clone()).await.expect("replay");
    // 3 of 4 GPU runners down from 12:01:30 (1 of 4 < 2) for 5 min; all back at 12:10.
    let pool: Vec<(String, String)> = sink
        .delivered()
        .iter()
        .filter(|n| n.scope.is_pool())
        .map(|n| (n.idempotency_key(), n.at.to_rfc3339()))
        .collect();
    assert_eq!(
        pool,
        [
            (
                "pool:gpu/pool/outage:1/pool_below_floor".to_owned(),
                "2026-03-02T12:06:30+00:00".to_owned()
            ),
            (
                "pool:gpu/pool/outage:1/pool_restored".to_owned(),
                "2026-03-02T12:10:00+00:00".to_owned()
            ),
        ]
    );
    assert_eq!(
        sink.keys().len(),
        8,
        "3 runner outages opened and resolved, 2 pool messages"
    );
    // Without the pool: only the runners' own messages.
    let lines = parse_trace(POOL.as_bytes()).expect("pool trace parses");
    let sink = Arc::new(RecordingNotifier::new());
    replay(lines, Policy::default(), sink.clone())
        .await
        .expect("replay");
    assert_eq!(sink.keys().len(), 6);
}

const SUSPECT: &str = include_str!("../examples/traces/suspect_listing.jsonl");

#[tokio::test]
async fn suspect_listings_change_no_runner_until_the_drop_is_accepted() {
    let lines = parse_trace(SUSPECT.as_bytes()).expect("trace parses");
    assert_eq!(lines.len(), 18);
    let sink = Arc::new(RecordingNotifier::new());
    let store = replay(lines, Policy::default(), sink.clone())
        .await
        .expect("replay");
    // 12:01-12:24: 8 runners listed as none: one degraded (12:20) and restored (12:25), no
    // runner message. rack-1 offline 12:30 -> outage 12:35. From 13:00 none listed: degraded at
    // 14:00; accepted at 19:00 (6 h): rack-1's outage closed, ONE runners_removed, restored.
    let since = chrono::DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z")
        .expect("time")
        .timestamp();
    assert_eq!(
        sink.keys(),
        [
            "org:acme/source/incident:1/monitoring_degraded".to_owned(),
            "org:acme/source/incident:1/monitoring_restored".to_owned(),
            "org:acme/runner:rack-1/outage:1/outage_opened".to_owned(),
            "org:acme/source/incident:2/monitoring_degraded".to_owned(),
            "org:acme/runner:rack-1/outage:1/outage_resolved".to_owned(),
            format!("org:acme/removal/since:{since}/runners_removed"),
            "org:acme/source/incident:2/monitoring_restored".to_owned(),
        ]
    );
    let removal = sink
        .delivered()
        .into_iter()
        .find(|n| n.kind_name() == "runners_removed")
        .expect("removal");
    let runner_monitor::core::NotificationKind::RunnersRemoved { runners, known, .. } =
        &removal.kind
    else {
        panic!("{removal:?}")
    };
    assert_eq!((runners.len(), *known), (8, 8));
    let state = store
        .load(&"org:acme".parse().expect("scope"))
        .await
        .expect("load");
    assert!(state.runners.is_empty(), "forgotten");
    assert_eq!(state.record.suspect_since, None);
}

#[tokio::test]
async fn suspect_listing_rule_off_opens_one_outage_per_runner() {
    let lines = parse_trace(SUSPECT.as_bytes()).expect("trace parses");
    let sink = Arc::new(RecordingNotifier::new());
    let policy = Policy {
        suspect_drop: runner_monitor::core::SuspectDrop {
            percent: 100,
            ..Default::default()
        },
        ..legacy()
    };
    replay(lines, policy, sink.clone()).await.expect("replay");
    let opened = sink
        .keys()
        .iter()
        .filter(|k| k.ends_with("outage_opened"))
        .count();
    assert!(
        opened >= 8,
        "the storm the rule prevents: {:?}",
        sink.keys()
    );
}

const FLAPPING: &str = include_str!("../examples/traces/flapping.jsonl");
const FLAPPING_POLICY: &str = include_str!("../examples/traces/flapping.toml");

#[tokio::test]
async fn a_flapping_runner_prints_one_outage_and_one_flapping_notice() {
    let lines = parse_trace(FLAPPING.as_bytes()).expect("trace parses");
    assert_eq!(lines.len(), 76, "75 minutes, one listing a minute");
    let policy: Policy = toml::from_str(FLAPPING_POLICY).expect("policy parses");
    policy.validate().expect("valid policy");
    let sink = Arc::new(RecordingNotifier::new());
    let store = replay(lines, policy, sink.clone()).await.expect("replay");
    // flaky-1 down 12:01 -> opened 12:03 -> resolved 12:05; down 12:06 -> outage 2 at 12:08
    // is the second within flap_window: one runner_flapping instead, then silence.
    let since = chrono::DateTime::parse_from_rfc3339("2026-03-02T12:08:00Z")
        .expect("time")
        .timestamp();
    let keys = sink.keys();
    assert_eq!(
        keys,
        [
            "acme/api/runner:flaky-1/outage:1/outage_opened".to_owned(),
            "acme/api/runner:flaky-1/outage:1/outage_resolved".to_owned(),
            format!("acme/api/runner:flaky-1/flapping:{since}/runner_flapping"),
        ]
    );
    let outage_messages = keys.iter().filter(|k| k.contains("/outage:")).count();
    let flapping = keys
        .iter()
        .filter(|k| k.ends_with("/runner_flapping"))
        .count();
    assert!(outage_messages <= 2, "{keys:?}");
    assert_eq!(flapping, 1, "{keys:?}");
    // History still records every outage: 15 opened, all resolved (up again at 13:15).
    let scope = "acme/api".parse().expect("scope");
    let history = store
        .outages(&scope, "flaky-1", 100)
        .await
        .expect("history");
    assert_eq!(history.len(), 15);
    assert!(history.iter().all(|o| !o.is_open()));
    let state = store.load(&scope).await.expect("load");
    assert!(state.runners["flaky-1"].is_flapping(), "still flapping");
}

#[tokio::test]
async fn the_default_flap_count_tells_two_outages_before_flapping() {
    let lines = parse_trace(FLAPPING.as_bytes()).expect("trace parses");
    let sink = Arc::new(RecordingNotifier::new());
    replay(lines, Policy::default(), sink.clone())
        .await
        .expect("replay");
    let kinds: Vec<_> = sink.delivered().iter().map(|n| n.kind_name()).collect();
    assert_eq!(
        kinds,
        [
            "outage_opened",
            "outage_resolved",
            "outage_opened",
            "outage_resolved",
            "runner_flapping"
        ]
    );
    let off = Policy {
        flap_count: 0,
        ..Policy::default()
    };
    let lines = parse_trace(FLAPPING.as_bytes()).expect("trace parses");
    let sink = Arc::new(RecordingNotifier::new());
    replay(lines, off, sink.clone()).await.expect("replay");
    assert_eq!(
        sink.keys().len(),
        30,
        "the storm the rule prevents: 15 opened, 15 resolved"
    );
}

#[test]
fn malformed_lines_name_the_line_and_the_reason() {
    let cases = [
        ("not json", "expected"),
        (
            r#"{"at":"2026-01-01T00:00:00Z","scope":"a/b/c","runners":[]}"#,
            "too many",
        ),
        (r#"{"at":"yesterday","scope":"a/b","runners":[]}"#, "input"),
        (
            r#"{"at":"2026-01-01T00:00:00Z","scope":"a/b"}"#,
            "exactly one of",
        ),
        (
            r#"{"at":"2026-01-01T00:00:00Z","scope":"a/b","error":"boom"}"#,
            "unknown variant",
        ),
        (
            r#"{"at":"2026-01-01T00:00:00Z","scope":"a/b","runners":[{"id":1}]}"#,
            "missing field",
        ),
    ];
    for (text, reason) in cases {
        let error = parse_line(7, text).expect_err(text);
        let message = error.to_string();
        assert!(
            matches!(error, ReplayError::Malformed { line: 7, .. }),
            "{message}"
        );
        assert!(
            message.starts_with("line 7: ") && message.contains(reason),
            "{text}: {message}"
        );
    }
    let trace = "\n{\"at\":\"2026-01-01T00:00:00Z\",\"scope\":\"a/b\",\"runners\":[]}\n{oops}\n";
    let error = parse_trace(trace.as_bytes()).expect_err("line 3 is bad");
    assert!(error.to_string().starts_with("line 3:"), "{error}");
}

const HOST_DOWN: &str = include_str!("../examples/traces/host_down.jsonl");
const EXPIRED: &str = include_str!("../examples/traces/expired_credential.jsonl");

async fn replay_lines(trace: &str, policy: Policy) -> Vec<serde_json::Value> {
    let lines = parse_trace(trace.as_bytes()).expect("trace parses");
    let sink = Arc::new(runner_monitor::replay::JsonLines::new());
    replay(lines, policy, sink.clone()).await.expect("replay");
    sink.lines()
}

#[tokio::test]
async fn a_host_of_24_runners_down_for_30_minutes_prints_2_messages() {
    let lines = replay_lines(HOST_DOWN, Policy::default()).await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for (line, kind) in lines.iter().zip(["outage_opened", "outage_resolved"]) {
        assert_eq!(line["kind"], kind);
        assert_eq!(line["scope"], "org:acme");
        let runners = line["runners"].as_array().cloned().unwrap_or_default();
        assert_eq!(runners.len(), 24, "{line}");
        assert_eq!(
            runners[0],
            serde_json::json!({"scope": "org:acme", "runner": "rack1-01", "outage_id": 1})
        );
        assert!(
            line["key"]
                .as_str()
                .unwrap_or_default()
                .starts_with("group:")
        );
    }
    // 12:01 offline, opened at 12:03 (open_after 2m); back at 12:31.
    assert_eq!(lines[0]["at"], "2026-03-02T12:03:00Z");
    assert_eq!(lines[1]["at"], "2026-03-02T12:31:00Z");
    let ungrouped = replay_lines(
        HOST_DOWN,
        Policy {
            group_wait: std::time::Duration::ZERO,
            ..Policy::default()
        },
    )
    .await;
    assert_eq!(ungrouped.len(), 48, "what grouping saves");
    assert_eq!(ungrouped[0]["runner"], "rack1-01");
    assert_eq!(ungrouped[0]["outage_id"], 1);
}

#[tokio::test]
async fn an_expired_credential_over_20_repositories_prints_2_messages() {
    let lines = replay_lines(EXPIRED, Policy::default()).await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for (line, kind) in lines
        .iter()
        .zip(["monitoring_degraded", "monitoring_restored"])
    {
        assert_eq!(line["kind"], kind);
        assert_eq!(line["scope"], serde_json::Value::Null);
        let scopes = line["scopes"].as_array().cloned().unwrap_or_default();
        assert_eq!(scopes.len(), 20, "{line}");
        assert_eq!(scopes[0], "acme/repo-01");
    }
}
