//! `/runner-status` without a scope (and `/runner-status-all`) when several scopes are watched:
//! one count line per scope, then each scope's unhealthy runners, within Slack's limits for any
//! number of scopes and runners.

use runner_monitor_core::{RunnerRecord, RunnerStatus, Scope, ScopeState, Timestamp};

use crate::blocks::{
    Block, MAX_BLOCKS, MAX_SECTION_CHARS, Message, ResponseType, escape, pack_lines,
};

use super::status::{rank, unhealthy_line};

/// Sections the count lines may use (about 45 scopes of one line each; more end with
/// "... and N more scopes").
const MAX_COUNT_SECTIONS: usize = 4;

/// Characters of unhealthy-runner listing in total, shared equally by the scopes that have
/// unhealthy runners (like the single-scope answer's four sections: plenty to read).
const LISTING_BUDGET: usize = 12_000;

/// The least a listed scope gets, so that many scopes still show a few runners each.
const MIN_SCOPE_BUDGET: usize = 600;

/// Room kept in each scope's section for its overflow line.
const OVERFLOW_RESERVE: usize = 160;

/// One scope's outcome: its state, or `None` when it could not be read (already logged).
pub(crate) type Loaded = (Scope, Option<ScopeState>);

/// Runners per status as the counts name them: GitHub's words, with UNKNOWN (absent from the
/// listing) called "missing".
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    online: usize,
    busy: usize,
    offline: usize,
    missing: usize,
    open_outages: usize,
}

impl Counts {
    fn of(state: &ScopeState) -> Self {
        let mut counts = Counts {
            open_outages: state.open_outages.len(),
            ..Counts::default()
        };
        for runner in state.runners.values() {
            match runner.status {
                RunnerStatus::Online | RunnerStatus::Idle => counts.online += 1,
                RunnerStatus::Busy => counts.busy += 1,
                RunnerStatus::Offline => counts.offline += 1,
                RunnerStatus::Unknown => counts.missing += 1,
            }
        }
        counts
    }

    fn total(&self) -> usize {
        self.online + self.busy + self.offline + self.missing
    }

    fn unhealthy(&self) -> usize {
        self.offline + self.missing
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count_line(scope: &Scope, state: Option<&ScopeState>, now: Timestamp) -> String {
    let id = escape(&scope.to_string());
    let Some(state) = state else {
        return format!(
            "• *`{id}`*: :warning: could not be read just now; try `/runner-status {id}` in a \
             minute."
        );
    };
    let counts = Counts::of(state);
    let mut line = format!(
        "• *`{id}`*: {}: {} online · {} busy · {} offline · {} missing · {}",
        plural(counts.total(), "runner", "runners"),
        counts.online,
        counts.busy,
        counts.offline,
        counts.missing,
        plural(counts.open_outages, "open outage", "open outages"),
    );
    if let (Some(since), Some(failure)) = (
        state.record.failing_since,
        state
            .record
            .degraded
            .as_ref()
            .map(|d| &d.failure)
            .or(state.record.last_failure.as_ref()),
    ) {
        line.push_str(&format!(
            " · :warning: monitoring failing for {} (`{}`)",
            crate::messages::duration((now - since).to_std().unwrap_or_default()),
            failure.class
        ));
    } else if state.record.last_success_at.is_none() {
        line.push_str(" · not observed yet");
    }
    line
}

/// "... and 37 more offline runners in `org:acme`", or with the split when both kinds are left.
fn overflow_line(scope: &str, left: &[&RunnerRecord]) -> String {
    let offline = left
        .iter()
        .filter(|r| r.status == RunnerStatus::Offline)
        .count();
    let missing = left.len() - offline;
    let kind = match (offline, missing) {
        (_, 0) => "offline",
        (0, _) => "missing",
        _ => "unhealthy",
    };
    let mut line = format!(
        "... and {} more {kind} runner{} in `{scope}`",
        left.len(),
        if left.len() == 1 { "" } else { "s" }
    );
    if kind == "unhealthy" {
        line.push_str(&format!(" ({offline} offline, {missing} missing)"));
    }
    line
}

/// The scope's unhealthy runners (offline first, then missing, by name) as one section of at
/// most `budget` characters.
fn unhealthy_section(state: &ScopeState, budget: usize, now: Timestamp) -> Option<String> {
    let mut unhealthy: Vec<&RunnerRecord> =
        state.runners.values().filter(|r| !r.is_healthy()).collect();
    if unhealthy.is_empty() {
        return None;
    }
    unhealthy.sort_by(|a, b| (rank(a.status), &a.name).cmp(&(rank(b.status), &b.name)));
    let scope = escape(&state.scope.to_string());
    let mut text = format!("*Unhealthy in `{scope}` ({})*", unhealthy.len());
    let mut used = text.chars().count();
    let mut shown = 0;
    for runner in &unhealthy {
        let line = unhealthy_line(state, runner, now);
        let len = line.chars().count() + 1;
        let last = shown + 1 == unhealthy.len();
        let room = if last {
            budget
        } else {
            budget - OVERFLOW_RESERVE
        };
        if used + len > room {
            break;
        }
        text.push('\n');
        text.push_str(&line);
        used += len;
        shown += 1;
    }
    if shown < unhealthy.len() {
        text.push('\n');
        text.push_str(&overflow_line(&scope, &unhealthy[shown..]));
    }
    Some(text)
}

/// The answer for every scope: a header, a total, one count line per scope (every scope, up to
/// about 45; then "... and N more scopes"), then each scope's unhealthy runners with how long
/// they have been down, each scope's listing cut to its share with a readable overflow line.
/// `pools`, the pools section ([`pools::section`](super::pools::section)), follows the count
/// lines when given.
pub(crate) fn render(loaded: &[Loaded], pools: Option<String>, now: Timestamp) -> Message {
    let states = loaded.iter().filter_map(|(_, s)| s.as_ref());
    let totals = states.fold(Counts::default(), |acc, state| {
        let c = Counts::of(state);
        Counts {
            online: acc.online + c.online,
            busy: acc.busy + c.busy,
            offline: acc.offline + c.offline,
            missing: acc.missing + c.missing,
            open_outages: acc.open_outages + c.open_outages,
        }
    });
    let unreadable = loaded.iter().filter(|(_, s)| s.is_none()).count();
    let mut summary = format!(
        "{} · {} · {} unhealthy · {}",
        plural(loaded.len(), "scope", "scopes"),
        plural(totals.total(), "runner", "runners"),
        totals.unhealthy(),
        plural(totals.open_outages, "open outage", "open outages"),
    );
    if unreadable > 0 {
        summary.push_str(&format!(" · {unreadable} could not be read"));
    }
    let mut message = Message::new(format!("Runners of every scope: {summary}"))
        .response_type(ResponseType::Ephemeral)
        .block(Block::header(format!(
            "Runners of {}",
            plural(loaded.len(), "scope", "scopes")
        )))
        .block(Block::context([summary]));

    let lines: Vec<String> = loaded
        .iter()
        .map(|(scope, state)| count_line(scope, state.as_ref(), now))
        .collect();
    let (chunks, _) = pack_lines(
        &lines,
        MAX_SECTION_CHARS,
        MAX_COUNT_SECTIONS,
        ("scope", "scopes"),
    );
    let mut blocks_used = 2 + chunks.len();
    for chunk in chunks {
        message = message.block(Block::text(chunk));
    }
    if let Some(pools) = pools {
        message = message.block(Block::text(pools));
        blocks_used += 1;
    }

    let with_unhealthy: Vec<&ScopeState> = loaded
        .iter()
        .filter_map(|(_, s)| s.as_ref())
        .filter(|s| s.runners.values().any(|r| !r.is_healthy()))
        .collect();
    // One block stays free for the closing context.
    let listable = (MAX_BLOCKS - blocks_used - 1).min(with_unhealthy.len());
    let budget = (LISTING_BUDGET / listable.max(1)).clamp(MIN_SCOPE_BUDGET, MAX_SECTION_CHARS);
    for state in &with_unhealthy[..listable] {
        if let Some(text) = unhealthy_section(state, budget, now) {
            message = message.block(Block::text(text));
            blocks_used += 1;
        }
    }
    let unlisted = with_unhealthy.len() - listable;
    let closing = if unlisted > 0 {
        format!(
            "The unhealthy runners of {} more scope{} are not listed. `/runner-status &lt;scope&gt;` \
             lists every runner of one scope.",
            unlisted,
            if unlisted == 1 { "" } else { "s" }
        )
    } else if totals.unhealthy() == 0 && unreadable == 0 {
        "All runners are healthy. `/runner-status &lt;scope&gt;` lists every runner of one scope."
            .to_owned()
    } else {
        "`/runner-status &lt;scope&gt;` lists every runner of one scope.".to_owned()
    };
    debug_assert!(blocks_used < MAX_BLOCKS);
    message.block(Block::context([closing]))
}
