//! End to end in Slack app mode with the real daemon process (`examples/daemon.rs`): a
//! `slack_bot` sink against the fake Slack Web API, the fake GitHub, a SQLite file.
//!
//! A host of 24 runners goes down: one message. The daemon is killed with SIGKILL and restarted
//! on the same file; the runners come back and that same message turns green, with the recovery
//! in its thread (its `ts` was stored in SQLite). Then one runner's alert is acknowledged with
//! its button through the signed `/slack/interactions` endpoint: the alert loses the button and
//! says who, the acknowledgement goes in its thread; a forged click changes nothing. Every Web
//! API call is counted.
#![cfg(all(feature = "host", unix))]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::process::Stdio;
use std::time::Duration;

use e2e_support::{SIGNING_SECRET, daemon_binary};
use runner_monitor::core::Scope;
use runner_monitor::github::fake::{FakeGitHub, FakeRunner};
use runner_monitor::slack::fake::{ApiMessage, FakeSlackApi};
use runner_monitor::slack::signature::sign;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const HOST: usize = 24;

struct World {
    github: FakeGitHub,
    slack: FakeSlackApi,
    dir: tempfile::TempDir,
    api: Scope,
    org: Scope,
    port: u16,
}

impl World {
    async fn start() -> World {
        let github = FakeGitHub::start().await.unwrap();
        let slack = FakeSlackApi::start().await.unwrap();
        let api: Scope = "botco/api".parse().unwrap();
        let org = Scope::org("botco");
        github.add_runner(&api, FakeRunner::new("build-1"));
        for i in 0..HOST {
            github.add_runner(&org, FakeRunner::new(format!("rack1-{i:02}")));
        }
        // A free port for the daemon's HTTP server (the interactivity endpoint).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        World {
            github,
            slack,
            dir: tempfile::tempdir().unwrap(),
            api,
            org,
            port,
        }
    }

    fn config(&self) -> std::path::PathBuf {
        let text = format!(
            r#"
[daemon]
interval = "150ms"
jitter = "0s"

[http]
listen = "127.0.0.1:{port}"

[github]
api_url = "{github}"
scopes = ["{api}", "{org}"]

[store]
kind = "sqlite"
path = "{db}"

[policy]
open_after = "0s"
new_runner_grace = "0s"
group_wait = "1s"

[monitor]
delivery_retry_base = "100ms"
delivery_retry_max = "200ms"

[[sinks]]
kind = "slack_bot"
bot_token = "env:E2E_BOT_TOKEN"
channel = "env:E2E_BOT_CHANNEL"
api_url = "{slack}"

[slash_commands]
signing_secret = "env:E2E_SIGNING_SECRET"
"#,
            port = self.port,
            github = self.github.base_url(),
            api = self.api,
            org = self.org,
            db = self.dir.path().join("state.db").display(),
            slack = self.slack.base_url(),
        );
        let path = self.dir.path().join("monitor.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn daemon(&self) -> Child {
        Command::new(daemon_binary())
            .args(["--config", self.config().to_str().unwrap()])
            .env_remove("RUNNER_MONITOR_CONFIG")
            .env("RUST_LOG", "info")
            .env("GITHUB_TOKEN", self.github.token().expose_secret())
            .env("E2E_BOT_TOKEN", self.slack.token().expose_secret())
            .env("E2E_BOT_CHANNEL", self.slack.channel())
            .env("E2E_SIGNING_SECRET", SIGNING_SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    }

    /// Waits (at most 20 s) until `done` holds for the fake Slack.
    async fn until(&self, what: &str, done: impl Fn(&FakeSlackApi) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(&self.slack) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {:#?}",
                self.slack.messages()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn alert(&self, index: usize) -> ApiMessage {
        self.slack.top_level()[index].clone()
    }

    /// Posts a signed (or forged) button click on `alert` to the daemon.
    async fn click(&self, alert: &ApiMessage, action_id: &str, secret: &str) -> u16 {
        let button = alert.current().shown_blocks();
        let value = find_button(&button, action_id).expect("the alert has the button");
        let payload = json!({
            "type": "block_actions",
            "user": { "id": "U0ANA", "username": "ana" },
            "actions": [{ "action_id": action_id, "value": value, "type": "button" }],
            "response_url": "https://hooks.slack.com/actions/T0/1/unused",
            "container": { "type": "message", "channel_id": alert.channel, "message_ts": alert.ts },
            "message": alert.current().as_message(),
        });
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish();
        let ts = chrono::Utc::now().timestamp().to_string();
        let signature = sign(&SecretString::from(secret), &ts, body.as_bytes());
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{}/slack/interactions", self.port))
            .header("X-Slack-Request-Timestamp", ts)
            .header("X-Slack-Signature", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// The `value` of the button `action_id` anywhere in `blocks`.
fn find_button(blocks: &Value, action_id: &str) -> Option<String> {
    blocks
        .as_array()?
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .and_then(|e| e["value"].as_str().map(str::to_owned))
}

fn thread_len(slack: &FakeSlackApi, alert: &ApiMessage) -> usize {
    slack.thread(&alert.channel, &alert.ts).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_living_message_per_incident_across_a_kill_and_a_button_click() {
    let world = World::start().await;
    let mut daemon = world.daemon();

    // A host of 24 goes down: one grouped message, red.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for i in 0..HOST {
        world
            .github
            .set_online(&world.org, &format!("rack1-{i:02}"), false);
    }
    world
        .until("the host's alert", |s| !s.top_level().is_empty())
        .await;
    let host = world.alert(0);
    assert!(
        host.posted.text.contains("24 runners of org:botco offline"),
        "{}",
        host.posted.text
    );
    assert_eq!(host.posted.color(), Some("#E01E5A"));

    // Let the delivery settle, then SIGKILL; restart on the same SQLite file.
    tokio::time::sleep(Duration::from_millis(800)).await;
    daemon.start_kill().unwrap();
    daemon.wait().await.unwrap();
    for i in 0..HOST {
        world
            .github
            .set_online(&world.org, &format!("rack1-{i:02}"), true);
    }
    let mut daemon = world.daemon();
    world
        .until("the host's alert turned green", |s| {
            s.top_level()
                .first()
                .is_some_and(|m| m.current().color() == Some("#2EB67D"))
                && thread_len(s, &host) == 1
        })
        .await;
    assert_eq!(world.slack.top_level().len(), 1, "no second message");
    assert_eq!(world.alert(0).edits.len(), 1);

    // build-1 goes down: its own alert, with buttons.
    world.github.set_online(&world.api, "build-1", false);
    world
        .until("build-1's alert", |s| s.top_level().len() == 2)
        .await;
    let build = world.alert(1);
    assert!(
        build.posted.text.contains("build-1"),
        "{}",
        build.posted.text
    );

    // A forged click is refused and changes nothing.
    assert_eq!(
        world.click(&build, "runner_ack", "forged-secret").await,
        401
    );
    // A signed click acknowledges: the alert loses the button, the thread says who.
    assert_eq!(world.click(&build, "runner_ack", SIGNING_SECRET).await, 200);
    world
        .until("the acknowledgement", |s| thread_len(s, &build) == 1)
        .await;
    let acked = world.alert(1);
    let shown = acked.current().shown_blocks();
    assert!(find_button(&shown, "runner_ack").is_none(), "{shown}");
    assert!(find_button(&shown, "runner_history").is_some(), "{shown}");
    assert!(
        shown.to_string().contains("Acknowledged by <@U0ANA>"),
        "{shown}"
    );
    let reply = &world.slack.thread(&build.channel, &build.ts)[0];
    assert!(
        reply
            .posted
            .text
            .contains("acknowledged outage #1 of `build-1`"),
        "{}",
        reply.posted.text
    );

    // build-1 back: its alert turns green, the recovery in its thread.
    world.github.set_online(&world.api, "build-1", true);
    world
        .until("build-1's alert turned green", |s| {
            s.top_level()
                .get(1)
                .is_some_and(|m| m.current().color() == Some("#2EB67D"))
                && thread_len(s, &build) == 2
        })
        .await;
    daemon.start_kill().unwrap();
    daemon.wait().await.unwrap();

    // What Slack was asked, in all: 2 alerts and 3 thread replies posted; the host's alert
    // turned green, build-1's marked acknowledged, then turned green.
    assert_eq!(world.slack.top_level().len(), 2);
    assert_eq!(world.slack.calls_of("chat.postMessage"), 5);
    assert_eq!(world.slack.calls_of("chat.update"), 3);
}
