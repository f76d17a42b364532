//! Epilogue: Slack app (bot-token) mode. A second monitor, with a `slack_bot` sink against the
//! fake Slack Web API, watches its own small fleet on a fake GitHub: a runner goes down and one
//! message is posted (red, with buttons); someone clicks Acknowledge (a signed interactivity
//! request) and the message says so, the acknowledgement in its thread; the runner comes back
//! and the same message turns green, the recovery in its thread.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor::core::{Monitor, Policy, Scope};
use runner_monitor::github::fake::{FakeGitHub, FakeRunner};
use runner_monitor::github::{Credentials, GitHubSource};
use runner_monitor::memory::MemoryStore;
use runner_monitor::slack::fake::{ApiMessage, FakeSlackApi, render_plain};
use runner_monitor::slack::signature::sign;
use runner_monitor::slack::{SlackBotNotifier, SlackWebApi, SlashCommands};
use secrecy::SecretString;
use serde_json::json;

const SECRET: &str = "demo-bot-signing-secret";

fn print(title: &str, message: &ApiMessage) {
    let content = message.current();
    let bar = match content.color() {
        Some("#E01E5A") => "red",
        Some("#2EB67D") => "green",
        Some(_) => "coloured",
        None => "no",
    };
    println!(
        "\n  ┌─ Slack #runners ({title}, {bar} bar, ts {}) ───────────",
        message.ts
    );
    for line in render_plain(&json!({ "blocks": content.shown_blocks() })).lines() {
        println!("  │ {line}");
    }
    let buttons: Vec<String> = content
        .shown_blocks()
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["text"]["text"].as_str().map(|t| format!("[{t}]")))
        .collect();
    if !buttons.is_empty() {
        println!("  │ {}", buttons.join(" "));
    }
    println!("  └──────────────────────────────────────────────────────────");
}

fn err(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Plays the bot-mode story; checks every step's Slack calls.
pub async fn play() -> Result<(), String> {
    println!("\n▶ Slack app mode: one living message per outage (fake Slack Web API)");
    let scope: Scope = "acme/app".parse().map_err(err)?;
    let github = FakeGitHub::start().await.map_err(err)?;
    github.add_runner(&scope, FakeRunner::new("deploy-1"));
    github.add_runner(&scope, FakeRunner::new("deploy-2"));
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(Credentials::token(github.token()))
        .build()
        .map_err(err)?;
    let slack = FakeSlackApi::start().await.map_err(err)?;
    let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .build()
        .map_err(err)?;
    let thread_api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .build()
        .map_err(err)?;
    let store = Arc::new(MemoryStore::new());
    let monitor = Monitor::builder(Arc::new(source), store.clone())
        .scope(scope.clone())
        .sink("slack", Arc::new(SlackBotNotifier::new(api)))
        .policy(Policy {
            open_after: Duration::ZERO,
            new_runner_grace: Duration::ZERO,
            group_wait: Duration::ZERO,
            ..Policy::default()
        })
        .build()
        .map_err(err)?;
    let secret = SecretString::from(SECRET);
    let commands = SlashCommands::new(store, vec![scope.clone()], secret.clone())
        .map_err(err)?
        .thread_replies("slack", Arc::new(thread_api));
    // The story's clock: ends about now.
    let start = chrono::Utc::now() - chrono::Duration::minutes(22);
    let at = |minutes: i64| start + chrono::Duration::minutes(minutes);

    monitor.run_cycle(at(0)).await;
    github.set_online(&scope, "deploy-1", false);
    monitor.run_cycle(at(1)).await;
    let alert = slack
        .top_level()
        .into_iter()
        .next()
        .ok_or("no alert posted")?;
    print("posted", &alert);

    // Ana clicks Acknowledge: the signed request Slack would send.
    let value = "acme/app deploy-1 1";
    let payload = json!({
        "type": "block_actions",
        "user": { "id": "U0ANA", "username": "ana" },
        "actions": [{ "action_id": "runner_ack", "value": value, "type": "button" }],
        "container": { "type": "message", "channel_id": alert.channel, "message_ts": alert.ts },
        "message": alert.current().as_message(),
    });
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish();
    // Five minutes into the outage, on the story's clock.
    let now = at(5);
    let ts = now.timestamp().to_string();
    let headers = vec![
        ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
        (
            "X-Slack-Signature".to_owned(),
            sign(&secret, &ts, body.as_bytes()),
        ),
    ];
    let answer = commands
        .handle_interaction(&headers, body.as_bytes(), now)
        .await;
    commands.finish_delayed().await;
    if answer.status != 200 {
        return Err(format!("the click was refused: {}", answer.body));
    }
    let acked = slack
        .message(&alert.channel, &alert.ts)
        .ok_or("the alert disappeared")?;
    print("after Acknowledge", &acked);

    github.set_online(&scope, "deploy-1", true);
    monitor.run_cycle(at(22)).await;
    let updated = slack
        .message(&alert.channel, &alert.ts)
        .ok_or("the alert disappeared")?;
    print("the same message, resolved", &updated);
    let thread = slack.thread(&alert.channel, &alert.ts);
    for reply in &thread {
        println!(
            "  ↳ in its thread: {}",
            render_plain(&reply.current().as_message()).trim()
        );
    }
    let top = slack.top_level().len();
    if top != 1 || updated.edits.len() != 2 || thread.len() != 2 {
        return Err(format!(
            "expected one message edited twice with two replies, got {top} messages, {} edits, {} replies",
            updated.edits.len(),
            thread.len()
        ));
    }
    println!(
        "  ✓ one message in the channel: {} chat.postMessage (alert + 2 thread replies), {} chat.update (acknowledged, resolved)",
        slack.calls_of("chat.postMessage"),
        slack.calls_of("chat.update")
    );
    Ok(())
}
