//! `/runner-history <runner> [scope]`: the runner's last outages, newest first.

use runner_monitor_core::{Outage, Resolution, Scope, ScopeState, Timestamp};

use crate::blocks::{Block, Message, ResponseType, date, escape, field};
use crate::messages::duration;

use super::reply::notice;
use super::suggest::closest;

/// Outages shown.
pub(crate) const HISTORY_LIMIT: usize = 5;

fn outage_block(outage: &Outage, now: Timestamp) -> Block {
    let lasted = duration(outage.duration(now));
    let (ended, lasted, how) = match (outage.resolved_at, outage.resolution) {
        (None, _) => (
            "Ongoing".to_owned(),
            format!("{lasted} so far"),
            "\u{2014}".to_owned(),
        ),
        (Some(at), resolution) => (
            date(at),
            lasted,
            match resolution {
                Some(Resolution::Recovered(status)) => format!("Recovered ({status})"),
                Some(Resolution::Removed) => "Removed".to_owned(),
                None => "Resolved".to_owned(),
            },
        ),
    };
    let acked = outage
        .acknowledged
        .as_ref()
        .map_or_else(String::new, |ack| {
            format!(
                " · acknowledged by {} on {}",
                crate::blocks::mention(&ack.by),
                date(ack.at)
            )
        });
    Block::Section {
        text: Some(crate::blocks::Text::mrkdwn(format!(
            "*Outage #{}* · {} · {}{acked}",
            outage.id,
            outage.trigger,
            escape(&outage.description)
        ))),
        fields: vec![
            field("Started", &date(outage.started_at)),
            field("Ended", &ended),
            field("Duration", &lasted),
            field("Resolution", &how),
        ]
        .into_iter()
        .map(crate::blocks::Text::mrkdwn)
        .collect(),
    }
}

/// The history message for outages found (newest first).
pub(crate) fn render(scope: &Scope, runner: &str, outages: &[Outage], now: Timestamp) -> Message {
    let ongoing = outages.iter().any(Outage::is_open);
    let mut message = Message::new(format!(
        "Outage history of {} in {}: {} outage{}{}",
        escape(runner),
        escape(&scope.to_string()),
        outages.len(),
        if outages.len() == 1 { "" } else { "s" },
        if ongoing { ", one ongoing" } else { "" }
    ))
    .response_type(ResponseType::Ephemeral)
    .block(Block::header(format!("Outage history: {runner}")))
    .block(Block::context([format!(
        "Last {} outage{} of `{}` in `{}`, newest first",
        outages.len(),
        if outages.len() == 1 { "" } else { "s" },
        escape(runner),
        escape(&scope.to_string())
    )]));
    for outage in outages {
        message = message.block(outage_block(outage, now));
    }
    message
}

/// The answer when the runner has no outages: it exists and was fine, or it does not exist and
/// here are the closest names.
pub(crate) fn not_found(state: &ScopeState, runner: &str) -> Message {
    let scope = escape(&state.scope.to_string());
    if let Some(record) = state.runners.get(runner) {
        return notice(format!(
            "`{}` in `{scope}` has no recorded outages; it is *{}* now.",
            escape(runner),
            record.status
        ));
    }
    let names = state
        .runners
        .keys()
        .chain(state.last_outage_ids.keys())
        .map(String::as_str);
    let suggestions = closest(runner, names);
    let mut text = format!(
        "Couldn't find a runner named `{}` in `{scope}`.",
        escape(runner)
    );
    if suggestions.is_empty() {
        text.push_str(&format!(
            " It has {} runner{}; `/runner-status {scope}` lists them.",
            state.runners.len(),
            if state.runners.len() == 1 { "" } else { "s" }
        ));
    } else {
        let names: Vec<String> = suggestions
            .iter()
            .map(|n| format!("`{}`", escape(n)))
            .collect();
        text.push_str(&format!(" Did you mean {}?", names.join(", ")));
    }
    notice(text)
}
