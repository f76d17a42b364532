//! Bot mode end to end: the real `Monitor` over a `MemoryStore`, dispatching to a
//! `SlackBotNotifier` against the fake Slack Web API. One message per incident (a runner, or a
//! host of 24 grouped), its follow-ups in its thread, turned green once everything is back; a
//! deleted alert is posted anew; every Web API call counted.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::testing::{CountingStore, ScriptedSource, at, observed};
use runner_monitor_core::{Monitor, Observation, Policy, Scope, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_slack::SlackBotNotifier;
use runner_monitor_slack::fake::{ApiMessage, FakeSlackApi};
use runner_monitor_slack::web_api::SlackWebApi;

const MIN: i64 = 60;
const RED: Option<&str> = Some("#E01E5A");
const GREEN: Option<&str> = Some("#2EB67D");

struct Rig {
    slack: FakeSlackApi,
    source: Arc<ScriptedSource>,
    store: Arc<CountingStore>,
    monitor: Monitor,
    scope: Scope,
}

async fn rig(policy: Policy) -> Rig {
    let scope = Scope::org("acme");
    let slack = FakeSlackApi::start().await.expect("fake starts");
    let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .build()
        .expect("client");
    let source = Arc::new(ScriptedSource::new());
    let store = Arc::new(CountingStore::new(Arc::new(MemoryStore::new())));
    let monitor = Monitor::builder(source.clone(), store.clone())
        .scope(scope.clone())
        .sink("slack", Arc::new(SlackBotNotifier::new(api)))
        .policy(policy)
        .delivery_batch(1000)
        .build()
        .expect("monitor");
    Rig {
        slack,
        source,
        store,
        monitor,
        scope,
    }
}

impl Rig {
    /// Sets the listing: `runners` named `rack1-00..`, the first `down` of them offline.
    fn fleet(&self, runners: usize, down: usize) {
        let listing = Observation {
            runners: (0..runners)
                .map(|i| observed(&format!("rack1-{i:02}"), i as u64 + 1, i >= down, false))
                .collect(),
        };
        self.source.set(&self.scope, Ok(listing));
    }

    async fn cycles(&self, minutes: &[i64]) {
        for minute in minutes {
            self.monitor.run_cycle(at(minute * MIN)).await;
        }
    }

    fn only_alert(&self) -> ApiMessage {
        let top = self.slack.top_level();
        assert_eq!(top.len(), 1, "one message in the channel: {top:?}");
        top.into_iter().next().expect("one")
    }

    fn thread(&self, alert: &ApiMessage) -> Vec<String> {
        self.slack
            .thread(&alert.channel, &alert.ts)
            .iter()
            .map(|m| m.posted.text.clone())
            .collect()
    }

    async fn nothing_pending(&self) {
        let pending = self.store.pending_deliveries(10).await.expect("pending");
        assert!(pending.is_empty(), "{pending:?}");
    }
}

/// A pool of every runner (they all carry `linux`) with a floor of `min_online`, no damping.
fn linux_pool(min_online: usize) -> runner_monitor_core::Pool {
    runner_monitor_core::Pool {
        name: "linux".into(),
        labels: vec!["linux".into()],
        scopes: Vec::new(),
        min_online: Some(min_online),
        min_idle: None,
        below_for: Duration::ZERO,
    }
}

fn has_buttons(message: &ApiMessage) -> bool {
    message
        .current()
        .shown_blocks()
        .to_string()
        .contains("runner_actions")
}

#[tokio::test]
async fn an_outage_is_one_message_turned_green_with_follow_ups_in_its_thread() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        remind_every: Some(Duration::from_secs(10 * 60)),
        ..Policy::default()
    })
    .await;
    rig.fleet(3, 0);
    rig.cycles(&[0]).await;
    rig.fleet(3, 1);
    rig.cycles(&[1, 3]).await;
    let alert = rig.only_alert();
    assert_eq!(alert.posted.color(), RED);
    assert!(
        alert.posted.text.contains("rack1-00"),
        "{}",
        alert.posted.text
    );
    assert!(
        has_buttons(&alert),
        "the alert of one outage carries its buttons"
    );

    // A reminder goes in the thread, not in the channel.
    rig.cycles(&[14]).await;
    let alert = rig.only_alert();
    let thread = rig.thread(&alert);
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert!(thread[0].contains("Still Down"), "{thread:?}");
    assert!(alert.edits.is_empty());

    // The recovery: the same message turns green, and a short reply goes in its thread.
    rig.fleet(3, 0);
    let receipts_before = rig.store.counts().receipts;
    rig.cycles(&[21, 22]).await;
    let alert = rig.only_alert();
    assert_eq!(alert.edits.len(), 1, "updated once");
    assert_eq!(alert.current().color(), GREEN);
    assert!(
        alert.current().text.contains("Resolved after 20m"),
        "{}",
        alert.current().text
    );
    assert!(!has_buttons(&alert), "a resolved alert has no buttons");
    let thread = rig.thread(&alert);
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert!(thread[1].contains("Recovered"), "{thread:?}");
    // Web API calls: 1 alert + 2 replies posted, 1 update. Nothing else.
    assert_eq!(rig.slack.calls_of("chat.postMessage"), 3);
    assert_eq!(rig.slack.calls_of("chat.update"), 1);
    // Store: one receipts read for the recovery and one write closing the receipt.
    assert_eq!(rig.store.counts().receipts - receipts_before, 2);
    rig.nothing_pending().await;
}

#[tokio::test]
async fn a_host_of_24_is_one_message_green_once_all_are_back() {
    let rig = rig(Policy::default()).await;
    rig.fleet(30, 0);
    rig.cycles(&[0]).await;
    rig.fleet(30, 24);
    // Opened at minute 3; grouped and sent once 30 s old.
    rig.cycles(&[1, 3, 4]).await;
    let alert = rig.only_alert();
    assert_eq!(alert.posted.color(), RED);
    assert!(
        alert.posted.text.contains("24 runners of org:acme offline"),
        "{}",
        alert.posted.text
    );
    assert!(
        !has_buttons(&alert),
        "a group's outages are acknowledged one by one"
    );

    // Half back: one reply in the thread, the alert stays red.
    rig.fleet(30, 12);
    rig.cycles(&[10, 11]).await;
    let alert = rig.only_alert();
    let thread = rig.thread(&alert);
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert!(thread[0].contains("12 runners"), "{thread:?}");
    assert!(alert.edits.is_empty(), "still red while 12 are down");

    // All back: the alert turns green, one more reply.
    rig.fleet(30, 0);
    rig.cycles(&[20, 21]).await;
    let alert = rig.only_alert();
    assert_eq!(alert.edits.len(), 1);
    assert_eq!(alert.current().color(), GREEN);
    let thread = rig.thread(&alert);
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert_eq!(rig.slack.calls_of("chat.postMessage"), 3);
    assert_eq!(rig.slack.calls_of("chat.update"), 1);
    rig.nothing_pending().await;
}

#[tokio::test]
async fn a_deleted_alert_is_posted_anew() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        ..Policy::default()
    })
    .await;
    rig.fleet(2, 0);
    rig.cycles(&[0]).await;
    rig.fleet(2, 1);
    rig.cycles(&[1, 3]).await;
    let alert = rig.only_alert();
    assert!(rig.slack.delete_message(&alert.channel, &alert.ts));

    rig.fleet(2, 0);
    rig.cycles(&[10, 11]).await;
    let shown: Vec<ApiMessage> = rig
        .slack
        .top_level()
        .into_iter()
        .filter(|m| !m.deleted)
        .collect();
    assert_eq!(shown.len(), 1, "the recovery, posted anew: {shown:?}");
    assert_eq!(shown[0].posted.color(), GREEN);
    assert!(
        rig.slack
            .calls()
            .iter()
            .any(|c| c.error.as_deref() == Some("message_not_found"))
    );
    rig.nothing_pending().await;
}

#[tokio::test]
async fn a_rate_limited_thread_reply_is_sent_once_on_retry() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        ..Policy::default()
    })
    .await;
    rig.fleet(1, 0);
    rig.cycles(&[0]).await;
    rig.fleet(1, 1);
    rig.cycles(&[1, 3]).await;
    rig.fleet(1, 0);
    // The update goes through; the reply is refused once with Retry-After.
    rig.slack.rate_limit_next("chat.postMessage", 1, 1);
    rig.cycles(&[10]).await;
    let alert = rig.only_alert();
    assert!(rig.thread(&alert).is_empty());
    assert_eq!(alert.current().color(), GREEN, "updated before the reply");
    rig.cycles(&[11, 12]).await;
    let alert = rig.only_alert();
    assert_eq!(rig.thread(&alert).len(), 1, "the reply, once");
    // The retry repeats the update (idempotent: the same green message), never the reply.
    assert_eq!(alert.edits.len(), 2);
    assert_eq!(alert.edits[0], alert.edits[1]);
    rig.nothing_pending().await;
}

#[tokio::test]
async fn a_flapping_runner_is_one_message_turned_green_when_stable() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        open_after: Duration::ZERO,
        flap_count: 2,
        flap_window: Duration::from_secs(30 * 60),
        flap_settle: Duration::from_secs(15 * 60),
        ..Policy::default()
    })
    .await;
    rig.fleet(1, 0);
    rig.cycles(&[0]).await;
    // Down, up, down, up: the second outage makes it flapping.
    for (minute, down) in [(1, 1), (3, 0), (5, 1), (7, 0)] {
        rig.fleet(1, down);
        rig.cycles(&[minute]).await;
    }
    let top = rig.slack.top_level();
    assert_eq!(
        top.len(),
        2,
        "the first outage's alert, then one flapping message: {top:?}"
    );
    let flapping = top[1].clone();
    assert!(
        flapping.posted.text.to_lowercase().contains("flapping"),
        "{}",
        flapping.posted.text
    );
    assert_eq!(
        top[0].current().color(),
        GREEN,
        "the first outage resolved in place"
    );
    assert_eq!(
        flapping.posted.color(),
        Some("#ECB22E"),
        "amber while flapping"
    );
    // Stable for flap_settle: the flapping message turns green, "stable" in its thread.
    rig.cycles(&[15, 23, 24]).await;
    let top = rig.slack.top_level();
    assert_eq!(top.len(), 2, "{top:?}");
    let flapping = rig
        .slack
        .message(&flapping.channel, &flapping.ts)
        .expect("message");
    assert_eq!(flapping.edits.len(), 1);
    assert_eq!(flapping.current().color(), GREEN);
    let thread = rig.thread(&flapping);
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert!(thread[0].to_lowercase().contains("stable"), "{thread:?}");
    rig.nothing_pending().await;
}

#[tokio::test]
async fn a_pool_below_its_floor_is_one_message_reminded_in_its_thread_and_turned_green() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        open_after: Duration::ZERO,
        remind_every: Some(Duration::from_secs(10 * 60)),
        pools: vec![linux_pool(3)],
        ..Policy::default()
    })
    .await;
    rig.fleet(4, 0);
    rig.cycles(&[0]).await;
    rig.fleet(4, 2);
    rig.cycles(&[1, 2]).await;
    let top = rig.slack.top_level();
    let pool: Vec<&ApiMessage> = top
        .iter()
        .filter(|m| m.posted.text.contains("Pool linux"))
        .collect();
    assert_eq!(pool.len(), 1, "{top:?}");
    let pool = pool[0].clone();
    assert_eq!(pool.posted.color(), RED);
    let before = top.len();
    // Reminders (the pool's and the runners') go in threads: no new message in the channel.
    rig.cycles(&[12]).await;
    assert_eq!(rig.slack.top_level().len(), before);
    assert!(
        !rig.thread(&pool).is_empty(),
        "the pool reminder in its thread"
    );
    // Back above the floor: the pool's message turns green.
    rig.fleet(4, 0);
    rig.cycles(&[20, 21]).await;
    assert_eq!(
        rig.slack.top_level().len(),
        before,
        "recoveries are not new messages"
    );
    let pool = rig.slack.message(&pool.channel, &pool.ts).expect("message");
    assert_eq!(pool.current().color(), GREEN);
    assert_eq!(pool.edits.len(), 1);
    rig.nothing_pending().await;
}

/// `/runner-ack <args>` through a handler on the rig's store, in bot mode.
async fn ack_command(rig: &Rig, args: &str, minute: i64) -> runner_monitor_slack::SlashResponse {
    use runner_monitor_slack::signature::sign;
    let secret = secrecy::SecretString::from("bot-test-secret");
    let api = SlackWebApi::builder(rig.slack.token(), rig.slack.channel_secret())
        .base_url(rig.slack.base_url())
        .build()
        .expect("client");
    let commands = runner_monitor_slack::SlashCommands::new(
        rig.store.clone(),
        vec![rig.scope.clone()],
        secret.clone(),
    )
    .expect("handler")
    .thread_replies("slack", Arc::new(api));
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("command", "/runner-ack")
        .append_pair("text", args)
        .append_pair("user_id", "U0BOB")
        .finish();
    let now = at(minute * MIN);
    let ts = now.timestamp().to_string();
    let headers = vec![
        ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
        (
            "X-Slack-Signature".to_owned(),
            sign(&secret, &ts, body.as_bytes()),
        ),
    ];
    commands.handle(&headers, body.as_bytes(), now).await
}

#[tokio::test]
async fn runner_ack_in_bot_mode_is_told_in_the_alert_thread() {
    let rig = rig(Policy {
        group_wait: Duration::ZERO,
        open_after: Duration::ZERO,
        remind_every: Some(Duration::from_secs(10 * 60)),
        pools: vec![linux_pool(2)],
        ..Policy::default()
    })
    .await;
    rig.fleet(2, 0);
    rig.cycles(&[0]).await;
    rig.fleet(2, 1);
    rig.cycles(&[1, 2]).await;
    let top = rig.slack.top_level();
    let find = |needle: &str| {
        top.iter()
            .find(|m| m.posted.text.contains(needle))
            .cloned()
            .unwrap_or_else(|| panic!("no message with {needle}: {top:?}"))
    };
    let runner = find("rack1-00 in org:acme");
    let pool = find("Pool linux");

    let answer = ack_command(&rig, "rack1-00", 3).await;
    assert_eq!(answer.body["response_type"], "ephemeral", "{}", answer.body);
    assert!(
        answer.body.to_string().contains("in its alert's thread"),
        "{}",
        answer.body
    );
    let thread = rig.thread(&runner);
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert!(thread[0].contains("acknowledged"), "{thread:?}");

    let answer = ack_command(&rig, "pool:linux", 4).await;
    assert_eq!(answer.body["response_type"], "ephemeral", "{}", answer.body);
    assert_eq!(rig.thread(&pool).len(), 1);
    // No more reminders for either: nothing new in the threads or the channel.
    rig.cycles(&[15]).await;
    assert_eq!(rig.thread(&runner).len(), 1);
    assert_eq!(rig.thread(&pool).len(), 1);
    assert_eq!(rig.slack.top_level().len(), top.len());
}
