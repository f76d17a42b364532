//! Slack's 3-second rule: a slow store gets "working on it" within 2.5 s and the real answer at
//! `response_url`; a fast store answers directly and posts nothing.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use runner_monitor_core::testing::at;
use runner_monitor_core::{RunnerStatus, Scope, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlashCommands;
use runner_monitor_slack::fake::{SlackReceiver, SlowStore, render_plain};

use common::slash::*;

fn acme() -> Scope {
    Scope::repo("acme", "api")
}

async fn fleet() -> Arc<MemoryStore> {
    let store = MemoryStore::new();
    seed(
        &store,
        &acme(),
        observed_record(),
        vec![
            runner("build-1", RunnerStatus::Offline, at(80_000)),
            runner("build-2", RunnerStatus::Idle, at(100)),
        ],
        vec![],
    )
    .await;
    Arc::new(store)
}

/// A signed body whose `response_url` is `response_url`.
fn body_to(command: &str, text: &str, response_url: &str) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("command", command)
        .append_pair("text", text)
        .append_pair("user_id", "U1")
        .append_pair("channel_id", "C1")
        .append_pair("response_url", response_url)
        .finish()
        .into_bytes()
}

fn slow_commands(store: Arc<dyn Store>, delay: Duration) -> (SlashCommands, Arc<SlowStore>) {
    let slow = Arc::new(SlowStore::new(store, delay));
    let commands = SlashCommands::new(slow.clone(), vec![acme()], secret())
        .expect("commands")
        .allow_loopback_response_url(true);
    (commands, slow)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_answers_working_on_it_then_posts_the_answer_to_response_url() {
    let receiver = SlackReceiver::start().await.expect("receiver");
    let (commands, slow) = slow_commands(fleet().await, Duration::from_secs(4));
    let body = body_to("/runner-status", "", &receiver.url());

    let started = Instant::now();
    let answer = commands.handle(&signed(&body, now()), &body, now()).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(2900),
        "answered after {took:?}"
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["response_type"], "ephemeral");
    assert!(
        plain(&answer).contains("Working on it"),
        "{}",
        plain(&answer)
    );
    assert!(
        receiver.received().is_empty(),
        "nothing posted before the answer is ready"
    );

    assert!(
        receiver.wait_for(1, Duration::from_secs(30)).await,
        "the delayed answer never reached response_url"
    );
    commands.finish_delayed().await;
    assert_eq!(commands.delayed_in_flight(), 0);
    let posted = receiver.messages();
    assert_eq!(posted.len(), 1, "exactly one delayed post");
    let text = render_plain(&posted[0]);
    assert!(text.contains("build-1"), "the real status answer: {text}");
    assert_eq!(posted[0]["response_type"], "ephemeral");
    assert_eq!(slow.reads(), 1, "one store read for one command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_store_answers_directly_and_posts_nothing() {
    let receiver = SlackReceiver::start().await.expect("receiver");
    let (commands, _) = slow_commands(fleet().await, Duration::from_millis(10));
    let body = body_to("/runner-status", "", &receiver.url());
    let answer = commands.handle(&signed(&body, now()), &body, now()).await;
    assert!(plain(&answer).contains("build-1"), "{}", plain(&answer));
    commands.finish_delayed().await;
    assert!(receiver.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_url_off_slack_is_never_posted_to() {
    let receiver = SlackReceiver::start().await.expect("receiver");
    let slow = Arc::new(SlowStore::new(fleet().await, Duration::from_secs(4)));
    // Loopback is not opted in: only https://hooks.slack.com is accepted.
    let commands = SlashCommands::new(slow, vec![acme()], secret())
        .expect("commands")
        .ack_within(Duration::from_millis(300));
    for url in [receiver.url(), "https://evil.example/commands/x".to_owned()] {
        let body = body_to("/runner-status", "", &url);
        let started = Instant::now();
        let answer = commands.handle(&signed(&body, now()), &body, now()).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "answered in time"
        );
        assert!(plain(&answer).contains("try again"), "{}", plain(&answer));
    }
    commands.finish_delayed().await;
    assert!(receiver.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_later_than_the_delayed_deadline_says_try_again() {
    let receiver = SlackReceiver::start().await.expect("receiver");
    let (commands, _) = slow_commands(fleet().await, Duration::from_secs(30));
    let commands = commands
        .ack_within(Duration::from_millis(100))
        .delayed_within(Duration::from_millis(500));
    let body = body_to("/runner-history", "build-1", &receiver.url());
    let answer = commands.handle(&signed(&body, now()), &body, now()).await;
    assert!(plain(&answer).contains("Working on it"));
    commands.finish_delayed().await;
    let posted = receiver.messages();
    assert_eq!(posted.len(), 1);
    assert!(
        render_plain(&posted[0]).contains("try again"),
        "{:?}",
        posted[0]
    );
}

/// Every scope is loaded in parallel: three scopes that take 1.2 s each answer directly (in about
/// 1.2 s) instead of taking 3.6 s and falling back to "working on it".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scope_is_loaded_in_parallel_within_the_ack_deadline() {
    let receiver = SlackReceiver::start().await.expect("receiver");
    let scopes = vec![acme(), Scope::org("acme"), Scope::enterprise("big")];
    let slow = Arc::new(SlowStore::new(fleet().await, Duration::from_millis(1200)));
    let commands = SlashCommands::new(slow.clone(), scopes, secret())
        .expect("commands")
        .allow_loopback_response_url(true);
    let body = body_to("/runner-status-all", "", &receiver.url());
    let answer = commands.handle(&signed(&body, now()), &body, now()).await;
    let text = plain(&answer);
    assert!(!text.contains("Working on it"), "{text}");
    for scope in [
        "acme/api: 2 runners",
        "org:acme: 0 runners",
        "enterprise:big: 0 runners",
    ] {
        assert!(text.contains(scope), "{scope}\n{text}");
    }
    assert_eq!(slow.reads(), 3, "one load per scope");
    assert_eq!(commands.delayed_in_flight(), 0);
    assert!(receiver.received().is_empty());
}
