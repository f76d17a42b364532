//! Epilogue: the story's first outage once more, in Slack-app (bot-token) mode against the fake
//! Slack Web API: one message, posted red, turned green by `chat.update`, the recovery replied in
//! its thread. (The monitor does not yet keep each alert's message handle, so here the demo plays
//! the wiring itself with the real client.)

use runner_monitor::core::{
    Notification, NotificationKind, Outage, Resolution, RunnerSnapshot, RunnerStatus,
};
use runner_monitor::slack::fake::{ApiMessage, FakeSlackApi, render_plain};
use runner_monitor::slack::{SlackBotNotifier, SlackWebApi};

use super::world::World;

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
    for line in render_plain(&content.as_message()).lines() {
        println!("  │ {line}");
    }
    println!("  └──────────────────────────────────────────────────────────");
}

/// Replays build-1's first outage through a `SlackBotNotifier`.
pub async fn play(world: &World) -> Result<(), String> {
    println!("\n▶ Slack app mode: the same outage as one living message (fake Slack Web API)");
    let outages = world
        .host
        .store
        .outages(&world.api, "build-1", 5)
        .await
        .map_err(|e| e.to_string())?;
    let Some(resolved) = outages.into_iter().rev().find(|o| o.resolved_at.is_some()) else {
        return Err("build-1 has no resolved outage to replay".to_owned());
    };
    let slack = FakeSlackApi::start().await.map_err(|e| e.to_string())?;
    let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
        .base_url(slack.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    let bot = SlackBotNotifier::new(api);
    let runner = |status| RunnerSnapshot {
        name: "build-1".to_owned(),
        id: 1,
        status,
        busy: false,
        os: "Linux".to_owned(),
        labels: vec!["self-hosted".to_owned(), "docker".to_owned()],
        ephemeral: false,
    };
    let open = Outage {
        resolved_at: None,
        resolution: None,
        ..resolved.clone()
    };
    let ended = resolved.resolved_at.unwrap_or(resolved.started_at);
    let opened = Notification {
        scope: world.api.clone(),
        at: open.started_at,
        kind: NotificationKind::OutageOpened {
            runner: runner(RunnerStatus::Offline),
            outage: open,
        },
    };
    let new_status = match resolved.resolution {
        Some(Resolution::Recovered(status)) => status,
        _ => RunnerStatus::Online,
    };
    let recovered = Notification {
        scope: world.api.clone(),
        at: ended,
        kind: NotificationKind::OutageResolved {
            runner: runner(new_status),
            duration: (ended - resolved.started_at).to_std().unwrap_or_default(),
            outage: resolved,
        },
    };
    let alert = bot.post(&opened).await.map_err(|e| e.to_string())?;
    let posted = slack
        .message(&alert.channel, &alert.ts)
        .ok_or("the alert was not stored")?;
    print("posted", &posted);
    bot.resolve_in_place(&alert, &recovered)
        .await
        .map_err(|e| e.to_string())?;
    let updated = slack
        .message(&alert.channel, &alert.ts)
        .ok_or("the alert disappeared")?;
    print("the same message, updated", &updated);
    for reply in slack.thread(&alert.channel, &alert.ts) {
        println!(
            "  ↳ in its thread: {}",
            render_plain(&reply.current().as_message()).trim()
        );
    }
    let top = slack.top_level().len();
    if top != 1 || updated.edits.len() != 1 {
        return Err(format!(
            "expected one message edited once, got {top} messages and {} edits",
            updated.edits.len()
        ));
    }
    println!(
        "  ✓ one message in the channel: {} chat.postMessage (alert + thread reply), {} chat.update",
        slack.calls_of("chat.postMessage"),
        slack.calls_of("chat.update")
    );
    Ok(())
}
