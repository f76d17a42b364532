//! The demo's story as a test: runs `examples/demo` (built by `cargo test` next to this test)
//! and checks that it exits 0, which it does only when every step reached Slack with exactly
//! the expected number of messages: single outages, a grouped outage held back by a
//! `/runner-silence` window and sent once when it ended, and its grouped resolution.
#![cfg(all(feature = "host", unix))]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_story_plays_with_exact_message_counts() {
    let child = Command::new(e2e_support::example_binary("demo"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(Duration::from_secs(150), child.wait_with_output())
        .await
        .expect("the demo did not finish within 150 s")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the demo failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // The silence step: set by the signed command, nothing sent inside it, one grouped
    // opening when it ended, one grouped resolution.
    for expected in [
        "silenced label:gpu for 15s",
        "✓ nothing sent: both outages are recorded",
        "2 runners of org:acme offline: gpu-1, gpu-2",
        "2 runners of org:acme back after",
        "4 Slack messages for 10 steps",
        // Bot mode: one living message, acknowledged by a click, then green.
        "Acknowledged by @U0ANA",
        "✓ one message in the channel: 3 chat.postMessage (alert + 2 thread replies), 2 chat.update",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert_eq!(
        stdout.matches("┌─ Slack #runners ───").count(),
        4,
        "webhook messages printed:\n{stdout}"
    );
}
