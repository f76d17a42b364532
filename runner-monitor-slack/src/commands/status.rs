//! `/runner-status [scope]` (alias `/runner-status-all`): counts per status, unhealthy runners
//! first, then the rest, within Slack's limits for any fleet size.

use runner_monitor_core::{RunnerRecord, RunnerSnapshot, RunnerStatus, ScopeState, Timestamp};

use crate::blocks::{Block, MAX_SECTION_CHARS, Message, ResponseType, escape, pack_lines};
use crate::messages::duration;

/// Sections the runner listing may use in total (about 12,000 characters: plenty to read, far
/// inside Slack's limits).
pub(crate) const MAX_LIST_SECTIONS: usize = 4;

/// Statuses in the order they are counted and listed: unhealthy first.
const ORDER: [RunnerStatus; 5] = [
    RunnerStatus::Offline,
    RunnerStatus::Unknown,
    RunnerStatus::Busy,
    RunnerStatus::Idle,
    RunnerStatus::Online,
];

/// Where `status` sorts: unhealthy first.
pub(crate) fn rank(status: RunnerStatus) -> usize {
    ORDER
        .iter()
        .position(|s| *s == status)
        .unwrap_or(ORDER.len())
}

/// The runner as a notification would show it (what silences match on).
pub(crate) fn snapshot(runner: &RunnerRecord) -> RunnerSnapshot {
    RunnerSnapshot {
        name: runner.name.clone(),
        id: runner.id,
        status: runner.status,
        busy: runner.busy,
        os: runner.os.clone(),
        labels: runner.labels.clone(),
        ephemeral: runner.ephemeral,
    }
}

fn ago(now: Timestamp, then: Timestamp) -> String {
    duration((now - then).to_std().unwrap_or_default())
}

/// "• `name` *Offline* for 1h 46m (outage #1), last seen 1h 46m ago".
pub(crate) fn unhealthy_line(state: &ScopeState, runner: &RunnerRecord, now: Timestamp) -> String {
    let mut line = format!("• `{}` *{}*", escape(&runner.name), runner.status);
    match state.open_outages.get(&runner.name) {
        Some(outage) => line.push_str(&format!(
            " for {} (outage #{})",
            ago(now, outage.started_at),
            outage.id
        )),
        None => line.push_str(&format!(" for {}", ago(now, runner.since))),
    }
    line.push_str(&format!(
        ", last seen {} ago",
        ago(now, runner.last_seen_at)
    ));
    if let Some(ack) = state
        .open_outages
        .get(&runner.name)
        .and_then(|o| o.acknowledged.as_ref())
    {
        line.push_str(&format!(
            ", acknowledged by {} {} ago",
            crate::blocks::mention(&ack.by),
            ago(now, ack.at)
        ));
    }
    if runner.ephemeral {
        line.push_str(" (ephemeral)");
    }
    line
}

fn healthy_line(runner: &RunnerRecord, now: Timestamp) -> String {
    let mut line = format!(
        "• `{}` {}, healthy for {}, first seen {} ago",
        escape(&runner.name),
        runner.status,
        ago(now, runner.since),
        ago(now, runner.first_seen_at)
    );
    if runner.ephemeral {
        line.push_str(" (ephemeral)");
    }
    line
}

fn summary(state: &ScopeState, now: Timestamp) -> String {
    let total = state.runners.len();
    let counts: Vec<String> = ORDER
        .iter()
        .filter_map(|status| {
            let n = state
                .runners
                .values()
                .filter(|r| r.status == *status)
                .count();
            (n > 0).then(|| format!("{n} {status}"))
        })
        .collect();
    let unhealthy = state.runners.values().filter(|r| !r.is_healthy()).count();
    let mut text = format!(
        "*{total} runner{}*: {}",
        if total == 1 { "" } else { "s" },
        counts.join(" · ")
    );
    text.push_str(&match unhealthy {
        0 => "\nAll runners are healthy.".to_owned(),
        n => format!("\n*{n} unhealthy*, listed first."),
    });
    match state.record.last_success_at {
        Some(at) => text.push_str(&format!("\nLast observed {} ago.", ago(now, at))),
        None => text.push_str("\nNot observed successfully yet."),
    }
    text
}

fn degraded_notice(state: &ScopeState, now: Timestamp) -> Option<String> {
    let since = state.record.failing_since?;
    let (class, advice) = match (&state.record.degraded, &state.record.last_failure) {
        (Some(incident), _) => (incident.failure.class, incident.failure.class.advice()),
        (None, Some(failure)) => (failure.class, failure.class.advice()),
        (None, None) => return None,
    };
    Some(format!(
        ":warning: *Monitoring is failing* for {} (`{class}`): {}. The statuses below may be out \
         of date.",
        ago(now, since),
        escape(advice)
    ))
}

/// The status message of a loaded scope.
pub(crate) fn render(state: &ScopeState, now: Timestamp) -> Message {
    let scope = state.scope.to_string();
    let mut runners: Vec<&RunnerRecord> = state.runners.values().collect();
    runners.sort_by(|a, b| {
        (a.is_healthy(), rank(a.status), &a.name).cmp(&(b.is_healthy(), rank(b.status), &b.name))
    });
    let (unhealthy, healthy): (Vec<&RunnerRecord>, Vec<&RunnerRecord>) =
        runners.into_iter().partition(|r| !r.is_healthy());

    let mut message = Message::new(format!(
        "Runners of {}: {} total, {} unhealthy",
        escape(&scope),
        state.runners.len(),
        unhealthy.len()
    ))
    .response_type(ResponseType::Ephemeral)
    .block(Block::header(format!("Runners of {scope}")));
    if state.runners.is_empty() {
        let never = state.record.last_success_at.is_none();
        return message.block(Block::text(format!(
            "No runners are recorded for `{}`{}.",
            escape(&scope),
            if never {
                " yet (it has not been observed successfully)"
            } else {
                ""
            }
        )));
    }
    message = message.block(Block::text(summary(state, now)));
    if let Some(text) = degraded_notice(state, now) {
        message = message.block(Block::text(text));
    }

    let mut sections_left = MAX_LIST_SECTIONS;
    for (title, lines, noun) in [
        (
            "Unhealthy",
            unhealthy
                .iter()
                .map(|r| unhealthy_line(state, r, now))
                .collect::<Vec<_>>(),
            ("unhealthy runner", "unhealthy runners"),
        ),
        (
            "Healthy",
            healthy.iter().map(|r| healthy_line(r, now)).collect(),
            ("healthy runner", "healthy runners"),
        ),
    ] {
        if lines.is_empty() {
            continue;
        }
        let mut all = vec![format!("*{title} ({})*", lines.len())];
        all.extend(lines);
        let (chunks, omitted) = pack_lines(&all, MAX_SECTION_CHARS, sections_left, noun);
        sections_left -= chunks.len();
        if chunks.is_empty() {
            message = message.block(Block::context([format!(
                "... and {omitted} more {} not listed",
                if omitted == 1 { noun.0 } else { noun.1 }
            )]));
        }
        for chunk in chunks {
            message = message.block(Block::text(chunk));
        }
    }
    message
}
