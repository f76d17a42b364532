//! Grouped messages: one Slack post per dispatcher message, within Block Kit limits, to the
//! crate's fake Slack on loopback (which validates every payload as Slack would).

mod common;

use std::time::Duration;

use runner_monitor_core::testing::at;
use runner_monitor_core::{
    FailureClass, MemberOutcome, Message, Notification, NotificationKind, Notifier, Outage,
    RunnerSnapshot, RunnerStatus, Scope, SourceFailure,
};
use runner_monitor_slack::SlackNotifier;
use runner_monitor_slack::blocks::render_plain;
use runner_monitor_slack::fake::SlackReceiver;

fn runner(name: &str) -> RunnerSnapshot {
    RunnerSnapshot {
        name: name.to_owned(),
        id: 1,
        status: RunnerStatus::Offline,
        busy: false,
        os: "linux".to_owned(),
        labels: vec!["self-hosted".to_owned()],
        ephemeral: false,
    }
}

fn outage(name: &str) -> Outage {
    Outage {
        runner: name.to_owned(),
        id: 1,
        runner_id: 1,
        trigger: RunnerStatus::Offline,
        started_at: at(0),
        resolved_at: None,
        resolution: None,
        description: String::new(),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    }
}

fn host(count: usize, resolved: bool) -> Message {
    Message::new(
        (0..count)
            .map(|i| {
                let name = format!("rack1-{i:02}");
                Notification {
                    scope: Scope::org("acme"),
                    at: at(120),
                    kind: if resolved {
                        NotificationKind::OutageResolved {
                            runner: runner(&name),
                            outage: outage(&name),
                            duration: Duration::from_secs(30 * 60),
                        }
                    } else {
                        NotificationKind::OutageOpened {
                            runner: runner(&name),
                            outage: outage(&name),
                        }
                    },
                }
            })
            .collect(),
    )
}

async fn setup() -> (SlackReceiver, SlackNotifier) {
    let slack = SlackReceiver::start().await.expect("receiver starts");
    let notifier = SlackNotifier::new(slack.webhook_url()).expect("notifier");
    (slack, notifier)
}

#[tokio::test]
async fn a_host_s_24_outages_are_one_post_listing_every_runner() {
    let (slack, notifier) = setup().await;
    let message = host(24, false);
    let sent = notifier.send(&message).await;
    assert_eq!(sent.outcomes, vec![MemberOutcome::Sent; 24]);
    let received = slack.received();
    assert_eq!(received.len(), 1, "one post for 24 runners");
    assert_eq!(received[0].status, 200, "{:?}", received[0].problem);
    assert_eq!(
        received[0].idempotency_key.as_deref(),
        Some(message.key.as_str())
    );
    let text = received[0].payload["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("24 runners of org:acme offline: rack1-00, rack1-01,"),
        "{text}"
    );
    assert!(text.ends_with("... and 14 more"), "{text}");
    let plain = render_plain(&received[0].payload);
    for i in 0..24 {
        assert!(
            plain.contains(&format!("rack1-{i:02}")),
            "rack1-{i:02} in {plain}"
        );
    }

    let back = host(24, true);
    notifier.send(&back).await;
    let text = slack.received()[1].payload["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        text.starts_with("24 runners of org:acme back after 30m"),
        "{text}"
    );
}

#[tokio::test]
async fn a_huge_group_stays_within_block_kit_limits_with_a_readable_overflow() {
    let (slack, notifier) = setup().await;
    notifier.send(&host(2_000, false)).await;
    let received = slack.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 200, "{:?}", received[0].problem);
    let blocks = received[0].payload["blocks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    for block in &blocks {
        if let Some(text) = block["text"]["text"].as_str() {
            assert!(text.chars().count() <= 3000);
        }
    }
    let plain = render_plain(&received[0].payload);
    assert!(plain.contains("more runners"), "{plain}");
}

#[tokio::test]
async fn one_cause_over_20_repositories_is_one_post() {
    let (slack, notifier) = setup().await;
    let degraded = Message::new(
        (0..20)
            .map(|i| Notification {
                scope: Scope::repo("acme", format!("repo-{i:02}")),
                at: at(900),
                kind: NotificationKind::MonitoringDegraded {
                    incident: 1,
                    failure: SourceFailure {
                        class: FailureClass::Unauthorized,
                        message: "Bad credentials".into(),
                    },
                    since: at(0),
                },
            })
            .collect(),
    );
    notifier.send(&degraded).await;
    let received = slack.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 200, "{:?}", received[0].problem);
    let text = received[0].payload["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("20 scopes cannot be observed (unauthorized)"),
        "{text}"
    );
}

#[tokio::test]
async fn a_message_of_one_is_the_notification_s_own_message() {
    let (slack, notifier) = setup().await;
    let one = Message::new(vec![common::opened()]);
    notifier.send(&one).await;
    let received = slack.received();
    assert_eq!(
        received[0].payload,
        runner_monitor_slack::messages::render(&common::opened()).to_json()
    );
    assert_eq!(
        received[0].idempotency_key.as_deref(),
        Some(common::opened().idempotency_key().as_str())
    );
}

#[tokio::test]
async fn a_failed_group_post_fails_every_member() {
    let (slack, notifier) = setup().await;
    slack.fail_next(1, 404, "no_service");
    let sent = notifier.send(&host(3, false)).await;
    assert_eq!(sent.outcomes.len(), 3);
    assert!(
        sent.outcomes
            .iter()
            .all(|o| matches!(o, MemberOutcome::Failed(e) if !e.is_retryable())),
        "{sent:?}"
    );
}

/// 500 runners of two scopes go down at once and come back: the fake Slack receives 4 posts
/// (opened + resolved per scope), every one valid, not 2000.
#[tokio::test]
async fn a_fleet_going_down_at_once_is_two_posts_per_scope() {
    use std::sync::Arc;

    use runner_monitor_core::testing::{ScriptedSource, observed};
    use runner_monitor_core::{Monitor, Observation, Policy};
    use runner_monitor_memory::MemoryStore;

    let (slack, notifier) = setup().await;
    let scopes = [Scope::org("acme"), Scope::repo("acme", "api")];
    let listing = |online: bool| {
        Ok(Observation {
            runners: (0..250u64)
                .map(|i| observed(&format!("rack-{i:03}"), i + 1, online, false))
                .collect(),
        })
    };
    let source = Arc::new(ScriptedSource::new());
    let monitor = Monitor::builder(source.clone(), Arc::new(MemoryStore::new()))
        .policy(Policy {
            open_after: Duration::ZERO,
            ..Policy::default()
        })
        .scopes(scopes.to_vec())
        .sink("slack", Arc::new(notifier))
        .build()
        .expect("monitor");
    let set = |online: bool| {
        for scope in &scopes {
            source.set(scope, listing(online));
        }
    };
    set(true);
    monitor.run_cycle(at(0)).await;
    set(false);
    for minute in 1..=10 {
        monitor.run_cycle(at(minute * 60)).await;
    }
    set(true);
    for minute in 11..=13 {
        monitor.run_cycle(at(minute * 60)).await;
    }
    let received = slack.received();
    assert_eq!(received.len(), 4, "two posts per scope for 500 runners");
    for post in &received {
        assert_eq!(post.status, 200, "{:?}", post.problem);
    }
    let texts: Vec<&str> = received
        .iter()
        .filter_map(|r| r.payload["text"].as_str())
        .collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.starts_with("250 runners of") && t.contains("offline"))
            .count(),
        2,
        "{texts:?}"
    );
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("back after 10m"))
            .count(),
        2,
        "{texts:?}"
    );
}
