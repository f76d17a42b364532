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
    // build-1 offline 12:01 -> opened 12:03 -> resolved 12:09; gpu-1 missing 12:04 -> 12:10.
    // Silent: the ephemeral job leaving, build-2's self-update restart and re-registration, and
    // two minutes of GitHub errors.
    assert_eq!(
        sink.keys(),
        [
            "acme/api/runner:build-1/outage:1/outage_opened",
            "org:acme/runner:gpu-1/outage:1/outage_opened",
            "acme/api/runner:build-1/outage:1/outage_resolved",
            "org:acme/runner:gpu-1/outage:1/outage_resolved",
        ]
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
async fn a_longer_open_after_silences_the_short_outage() {
    let lines = parse_trace(SAMPLE.as_bytes()).expect("sample parses");
    let sink = Arc::new(RecordingNotifier::new());
    let policy = Policy {
        open_after: std::time::Duration::from_secs(600),
        ..Policy::default()
    };
    replay(lines, policy, sink.clone()).await.expect("replay");
    assert!(sink.keys().is_empty(), "{:?}", sink.keys());
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
