//! `/runner-silence`, `/runner-unsilence`, `/runner-silences` and `/runner-ack`: parse the
//! arguments, carry out the [`actions`](super::actions), and say what happened.

use runner_monitor_core::{Outage, Scope, Silence, SilenceWindow, Store, Timestamp};

use crate::blocks::{Block, Message, ResponseType, date, escape, mention};

use super::actions::{self, ActionError};
use super::reply::{notice, try_again};
use super::{Threads, scope_arg};

/// One line about a silence: "`id` target until DATE, reason (by @user)".
pub(crate) fn line(silence: &Silence, now: Timestamp) -> String {
    let when = match &silence.window {
        SilenceWindow::Once { from, until } if *from > now => {
            format!("from {} until {}", date(*from), date(*until))
        }
        SilenceWindow::Once { until, .. } => format!("until {}", date(*until)),
        SilenceWindow::Weekly(w) => {
            let days: Vec<String> = w.days.iter().map(ToString::to_string).collect();
            format!(
                "weekly {} {} ({}) for {}",
                days.join(", "),
                w.start.format("%H:%M"),
                w.zone.name(),
                humantime::format_duration(w.length)
            )
        }
    };
    let mut text = format!(
        "• `{}` *{}* {when}",
        escape(&silence.id),
        escape(&silence.target.to_string())
    );
    if silence.is_active(now) {
        text.push_str(" · *active*");
    }
    if !silence.reason.is_empty() {
        text.push_str(&format!(", {}", escape(&silence.reason)));
    }
    if silence.created_by == "config" {
        text.push_str(" (configured)");
    } else {
        text.push_str(&format!(" (by {})", mention(&silence.created_by)));
    }
    text
}

fn failed(error: &ActionError, command: &str) -> Message {
    match error {
        ActionError::Store(error) => {
            tracing::warn!(command, %error, "slash command could not use the store");
            try_again()
        }
        ActionError::Ambiguous { runner, scopes } => notice(format!(
            "`{}` has an open outage in {}: add the scope, e.g. `{command} {} {}`.",
            escape(runner),
            scope_arg::listing(scopes),
            escape(runner),
            scopes
                .first()
                .map_or_else(String::new, |s| escape(&s.to_string()))
        )),
        other => notice(escape(&other.to_string())),
    }
}

/// `/runner-silence <target> <duration> [reason]`.
pub(crate) async fn silence(
    store: &dyn Store,
    args: &[&str],
    user_id: &str,
    now: Timestamp,
) -> Message {
    let [target, duration, reason @ ..] = args else {
        return notice(
            "Usage: `/runner-silence &lt;runner | scope | label:NAME | pool:NAME&gt; \
             &lt;duration&gt; [reason]`, e.g. `/runner-silence org:acme 2h datacenter move`.",
        );
    };
    let duration = match actions::parse_duration(duration) {
        Ok(duration) => duration,
        Err(error) => return failed(&error, "/runner-silence"),
    };
    match actions::silence(store, target, duration, &reason.join(" "), user_id, now).await {
        Ok(silence) => Message::new(format!("Silenced {}", silence.target))
            .response_type(ResponseType::InChannel)
            .block(Block::text(format!(
                ":mute: {} silenced *{}* for {}: outages are still recorded, not sent; one \
                 still open at the end is sent then.\n{}\nUndo with `/runner-unsilence {}`.",
                mention(user_id),
                escape(&silence.target.to_string()),
                humantime::format_duration(duration),
                line(&silence, now),
                escape(&silence.id)
            ))),
        Err(error) => failed(&error, "/runner-silence"),
    }
}

/// `/runner-unsilence <id | target>`.
pub(crate) async fn unsilence(
    store: &dyn Store,
    configured: &[Silence],
    args: &[&str],
    user_id: &str,
    now: Timestamp,
) -> Message {
    let [arg] = args else {
        return notice(
            "Usage: `/runner-unsilence &lt;id | target&gt;`; `/runner-silences` lists the ids.",
        );
    };
    match actions::unsilence(store, arg, now).await {
        Ok(done) => unsilenced(&done, user_id),
        Err(ActionError::NotFound(_)) if configured.iter().any(|s| s.id == *arg) => {
            notice(format!(
                "`{}` is set in the configuration file; remove it there.",
                escape(arg)
            ))
        }
        Err(error) => failed(&error, "/runner-unsilence"),
    }
}

/// What `/runner-unsilence` tells the channel: what was removed, and when what it held back
/// goes out (with the next dispatch, or, when the store could not release it, at the
/// silence's original end).
fn unsilenced(done: &actions::Unsilenced, user_id: &str) -> Message {
    let name = |s: &Silence| format!("`{}` ({})", escape(&s.id), escape(&s.target.to_string()));
    let ids: Vec<String> = done.removed.iter().map(name).collect();
    let mut text = format!(
        ":loud_sound: {} removed {}.",
        mention(user_id),
        ids.join(", ")
    );
    let failed: Vec<String> = done.not_woken.iter().map(|(s, _)| name(s)).collect();
    for (silence, error) in &done.not_woken {
        tracing::warn!(id = %silence.id, %error, "removed a silence but could not release what it held back");
    }
    let (it, end) = if done.removed.len() == 1 {
        ("it", "the silence's original end")
    } else {
        ("them", "each silence's original end")
    };
    if failed.len() == done.removed.len() {
        text.push_str(&format!(
            " Notifications held back by {it} could not be released now (the store failed): \
             they go out at {end} if still relevant."
        ));
    } else {
        text.push_str(&format!(
            " Notifications held back by {it} go out with the next dispatch if still relevant \
             (unless another silence still covers them)."
        ));
        if !failed.is_empty() {
            text.push_str(&format!(
                " Those held back by {} could not be released now (the store failed): they \
                 go out at that silence's original end if still relevant.",
                failed.join(", ")
            ));
        }
    }
    Message::new(format!("Silence removed: {}", done.removed.len()))
        .response_type(ResponseType::InChannel)
        .block(Block::text(text))
}

/// The silences in force or still to come: configured ones and the store's.
pub(crate) async fn current(
    store: &dyn Store,
    configured: &[Silence],
    now: Timestamp,
) -> Result<Vec<Silence>, runner_monitor_core::StoreError> {
    let mut all: Vec<Silence> = configured.to_vec();
    all.extend(store.silences().await?);
    all.retain(|s| s.ends_after(now));
    all.sort_by(|a, b| (!a.is_active(now), &a.id).cmp(&(!b.is_active(now), &b.id)));
    Ok(all)
}

/// `/runner-silences`.
pub(crate) async fn list(store: &dyn Store, configured: &[Silence], now: Timestamp) -> Message {
    let all = match current(store, configured, now).await {
        Ok(all) => all,
        Err(error) => return failed(&ActionError::Store(error), "/runner-silences"),
    };
    if all.is_empty() {
        return notice("No silences are active or planned.");
    }
    let lines: Vec<String> = all.iter().map(|s| line(s, now)).collect();
    let mut message = Message::new(format!("{} silences", all.len()))
        .response_type(ResponseType::Ephemeral)
        .block(Block::header("Silences"));
    let (chunks, omitted) = crate::blocks::pack_lines(
        &lines,
        crate::blocks::MAX_SECTION_CHARS,
        4,
        ("silence", "silences"),
    );
    for chunk in chunks {
        message = message.block(Block::text(chunk));
    }
    if omitted > 0 {
        message = message.block(Block::context([format!("... and {omitted} more")]));
    }
    message
}

/// `/runner-ack <runner> [scope]` or `/runner-ack pool:NAME`.
pub(crate) async fn ack(
    store: &dyn Store,
    scopes: &[Scope],
    args: &[&str],
    user_id: &str,
    now: Timestamp,
    threads: Option<&Threads>,
) -> Message {
    let (runner, scope) = match args {
        [runner] => (*runner, None),
        [runner, scope] => {
            match scope_arg::resolve(scopes, Some(scope), "/runner-ack {runner} {scope}") {
                Ok(scope) => (*runner, Some(scope)),
                Err(message) => return message,
            }
        }
        _ => {
            return notice(
                "Usage: `/runner-ack &lt;runner&gt; [scope]` or `/runner-ack pool:NAME`, e.g. \
                 `/runner-ack build-1`.",
            );
        }
    };
    let (scope, outage) =
        match actions::acknowledge(store, scopes, runner, scope.as_ref(), user_id, now).await {
            Ok(done) => done,
            Err(error) => return failed(&error, "/runner-ack"),
        };
    let told = acknowledged(&scope, &outage, user_id);
    // Bot mode: the acknowledgement goes in the alert's thread; the command then answers only
    // the user who typed it.
    let key = runner_monitor_core::outage_incident_key(&scope, &outage.runner, outage.id);
    match threads {
        Some(threads) if threads.tell(store, &key, &told).await => notice(format!(
            "Acknowledged outage #{} of `{}`; said so in its alert's thread.",
            outage.id,
            escape(runner)
        )),
        _ => told,
    }
}

/// What an acknowledgement (`/runner-ack` or the Acknowledge button) tells the channel or the
/// alert's thread; the fallback text is the same sentence.
pub(crate) fn acknowledged(scope: &Scope, outage: &Outage, user_id: &str) -> Message {
    let text = if scope.is_pool() {
        format!(
            ":eyes: {} acknowledged outage #{} of pool `{}` ({}): no more reminders; its \
             restoration is still sent.",
            mention(user_id),
            outage.id,
            escape(&outage.runner),
            escape(&outage.description)
        )
    } else {
        format!(
            ":eyes: {} acknowledged outage #{} of `{}` in `{}`: no more reminders; its \
             resolution is still sent.",
            mention(user_id),
            outage.id,
            escape(&outage.runner),
            escape(&scope.to_string())
        )
    };
    Message::new(text.clone())
        .response_type(ResponseType::InChannel)
        .block(Block::text(text))
}
