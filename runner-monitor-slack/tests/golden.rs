//! Golden-JSON tests: the exact Block Kit message of every notification kind.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test -p runner-monitor-slack --test golden` and review
//! the diff.

mod common;

use std::path::PathBuf;

use runner_monitor_core::{NotificationKind, RunnerStatus};
use runner_monitor_slack::blocks::{MAX_FIELD_CHARS, MAX_HEADER_CHARS, render_plain};
use runner_monitor_slack::fake::validate_message;
use runner_monitor_slack::messages::render;
use serde_json::Value;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"))
}

#[test]
fn every_kind_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (name, notification) in common::every_kind() {
        let actual = render(&notification).to_json();
        let path = golden_path(name);
        if update {
            let text = serde_json::to_string_pretty(&actual).expect("serialize") + "\n";
            std::fs::write(&path, text).expect("write golden file");
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        let expected: Value = serde_json::from_str(&text).expect("golden file is JSON");
        assert_eq!(
            actual,
            expected,
            "{name} differs from {}:\n{}",
            path.display(),
            serde_json::to_string_pretty(&actual).unwrap_or_default()
        );
    }
}

#[test]
fn every_kind_is_valid_for_slack_and_carries_its_key() {
    for (name, notification) in common::every_kind() {
        let json = render(&notification).to_json();
        assert_eq!(validate_message(&json), Ok(()), "{name}");
        let text = json["text"].as_str().unwrap_or_default();
        assert!(!text.is_empty(), "{name}: fallback text");
        let plain = render_plain(&json);
        assert!(
            plain.contains(&notification.idempotency_key()),
            "{name}: key in the footer:\n{plain}"
        );
        assert!(plain.contains(&notification.scope.to_string()), "{name}");
    }
}

#[test]
fn messages_say_what_the_issue_asks_for() {
    let opened = render_plain(&render(&common::opened()).to_json());
    for fact in [
        "GitHub Runner Alert: Offline",
        "Scope: acme/api",
        "Runner: build-1",
        "Status: Offline",
        "Outage ID: #3",
        "OS: linux",
        "Labels: self-hosted, linux, x64",
        "Down since: 2026-01-01 00:00:00 UTC",
    ] {
        assert!(opened.contains(fact), "{fact} missing:\n{opened}");
    }
    let resolved = render_plain(&render(&common::resolved()).to_json());
    for fact in [
        "GitHub Runner Recovered: Idle",
        "New Status: Idle",
        "Duration: 2h 13m",
    ] {
        assert!(resolved.contains(fact), "{fact} missing:\n{resolved}");
    }
    let reminder = render_plain(&render(&common::reminder()).to_json());
    assert!(reminder.contains("Down for: 2h 5m"), "{reminder}");
    let degraded = render_plain(&render(&common::degraded()).to_json());
    for fact in [
        "Scope: org:acme",
        "Error class: unauthorized",
        "renew GITHUB_TOKEN",
    ] {
        assert!(degraded.contains(fact), "{fact} missing:\n{degraded}");
    }
    let restored = render_plain(&render(&common::restored()).to_json());
    assert!(restored.contains("Degraded for: 1h 15m"), "{restored}");
    let removed = render_plain(&render(&common::runners_removed(250)).to_json());
    for fact in [
        "GitHub Runners Removed: 250 of 250",
        "Scope: org:acme",
        "Runners removed: 250",
        "rack1-00",
        "... and 210 more runners",
    ] {
        assert!(removed.contains(fact), "{fact} missing:\n{removed}");
    }
    let flapping = render_plain(&render(&common::flapping()).to_json());
    for fact in [
        "GitHub Runner Flapping: build-1",
        "Outages: 3 in 30m",
        "Flapping since: 2026-01-01 00:13:00 UTC",
        "stable again",
        "acme/api/runner:build-1/flapping:1767226380/runner_flapping",
    ] {
        assert!(flapping.contains(fact), "{fact} missing:\n{flapping}");
    }
    let stable = render_plain(&render(&common::stable()).to_json());
    for fact in [
        "GitHub Runner Stable: Idle",
        "Flapping for: 1h 15m",
        "acme/api/runner:build-1/flapping:1767226380/runner_stable",
    ] {
        assert!(stable.contains(fact), "{fact} missing:\n{stable}");
    }
    let below = render_plain(&render(&common::pool_below()).to_json());
    for fact in [
        "Runner Pool Below Minimum: gpu",
        "Pool gpu: 1 of 4 online (minimum 2)",
        "Online: 1 of 4",
        "Minimum: 2",
        "pool:gpu/pool/outage:1/pool_below_floor",
    ] {
        assert!(below.contains(fact), "{fact} missing:\n{below}");
    }
    let reminder = render_plain(&render(&common::pool_reminder()).to_json());
    for fact in [
        "Runner Pool Still Below Minimum: gpu",
        "Pool gpu still below its floor after 4 h: 1 of 4 online (minimum 2)",
        "/runner-ack pool:gpu",
        "Below for: 4h",
        "Reminder: #1",
        "pool:gpu/pool/outage:1/pool_reminder-1",
    ] {
        assert!(reminder.contains(fact), "{fact} missing:\n{reminder}");
    }
    let back = render_plain(&render(&common::pool_restored()).to_json());
    for fact in [
        "Runner Pool Restored: gpu",
        "Pool gpu back: 3 of 4 online after 12 min",
        "Lasted: 12m",
    ] {
        assert!(back.contains(fact), "{fact} missing:\n{back}");
    }
}

#[test]
fn oversized_input_is_truncated_not_rejected() {
    let mut notification = common::opened();
    if let NotificationKind::OutageOpened { runner, outage } = &mut notification.kind {
        runner.name = "r".repeat(5000);
        runner.labels = (0..500)
            .map(|i| format!("label-{i}-{}", "x".repeat(50)))
            .collect();
        runner.os = "o".repeat(4000);
        runner.status = RunnerStatus::Offline;
        outage.description = "d".repeat(10_000);
    }
    let json = render(&notification).to_json();
    assert_eq!(validate_message(&json), Ok(()));
    for block in json["blocks"].as_array().into_iter().flatten() {
        if block["type"] == "header" {
            let len = block["text"]["text"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .count();
            assert!(len <= MAX_HEADER_CHARS);
        }
        for field in block["fields"].as_array().into_iter().flatten() {
            let len = field["text"].as_str().unwrap_or_default().chars().count();
            assert!(len <= MAX_FIELD_CHARS);
        }
    }
    assert!(render_plain(&json).contains("more labels"));
}

#[test]
fn user_controlled_names_cannot_mention_or_link() {
    let mut notification = common::opened();
    if let NotificationKind::OutageOpened { runner, .. } = &mut notification.kind {
        runner.name = "<!channel>".to_owned();
    }
    let json = render(&notification).to_json().to_string();
    assert!(!json.contains("<!channel>"), "{json}");
    assert!(json.contains("&lt;!channel&gt;"));
}
