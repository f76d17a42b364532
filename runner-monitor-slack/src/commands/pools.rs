//! Capacity pools (`[[policy.pools]]`) in `/runner-status` when it shows every scope: each
//! pool's count against its floor (from the scopes just loaded), its open outage and who
//! acknowledged it (one load of each pool's own scope `pool:NAME`).

use runner_monitor_core::{Pool, Scope, ScopeState, Timestamp};

use crate::blocks::{MAX_SECTION_CHARS, escape, pack_lines};
use crate::messages::duration;

use super::Answers;
use super::load_all::load_all;
use super::overview::Loaded;

fn ago(now: Timestamp, then: Timestamp) -> String {
    duration((now - then).to_std().unwrap_or_default())
}

/// One pool's line: "• *`pool:gpu`* 1 of 4 online (minimum 2): :red_circle: below its floor
/// for 12m, outage #3 open, acknowledged by @ana 2m ago".
///
/// `loaded` are the watched scopes (their runners give the count); `pool_state` is the pool's
/// own scope, `None` when it could not be read.
pub(crate) fn line(
    pool: &Pool,
    loaded: &[Loaded],
    pool_state: Option<&ScopeState>,
    now: Timestamp,
) -> String {
    let id = escape(&pool.scope().to_string());
    let unreadable = loaded
        .iter()
        .find(|(scope, state)| state.is_none() && pool.spans(scope))
        .map(|(scope, _)| scope);
    let count: Result<_, Scope> = match unreadable {
        Some(scope) => Err(scope.clone()),
        None => pool
            .count(loaded.iter().filter_map(|(_, s)| s.as_ref()))
            .ok_or_else(|| pool.scope()),
    };
    let mut text = match &count {
        Ok(count) => format!(
            "• *`{id}`* {} of {} {} (minimum {})",
            count.count,
            count.total,
            count.measure.as_str(),
            count.minimum
        ),
        Err(scope) => format!(
            "• *`{id}`* count unknown (`{}` could not be read)",
            escape(&scope.to_string())
        ),
    };
    let Some(state) = pool_state else {
        text.push_str(": :warning: its outages could not be read just now");
        return text;
    };
    let record = state.runners.get(&pool.name);
    match state.open_outages.get(&pool.name) {
        Some(outage) => {
            text.push_str(&format!(
                ": :red_circle: below its floor for {}, outage #{} open",
                ago(now, outage.started_at),
                outage.id
            ));
            match &outage.acknowledged {
                Some(ack) => text.push_str(&format!(
                    ", acknowledged by {} {} ago",
                    crate::blocks::mention(&ack.by),
                    ago(now, ack.at)
                )),
                None => text.push_str(&format!(
                    " (`/runner-ack {}` stops its reminders)",
                    escape(&pool.scope().to_string())
                )),
            }
        }
        None => match record {
            Some(record) if !record.is_healthy() => text.push_str(&format!(
                ": :warning: below its floor for {} (an outage opens after {})",
                ago(now, record.since),
                duration(pool.below_for)
            )),
            Some(_) => text.push_str(": at or above its floor"),
            None if count.as_ref().is_ok_and(|c| c.is_below()) => {
                text.push_str(": below its floor, not judged yet");
            }
            None => text.push_str(": at or above its floor"),
        },
    }
    text
}

/// The "Pools" section for `pools`, packed into one section ("... and N more pools" past it).
pub(crate) fn section(
    pools: &[Pool],
    loaded: &[Loaded],
    pool_states: &[Loaded],
    now: Timestamp,
) -> Option<String> {
    if pools.is_empty() {
        return None;
    }
    let mut lines = vec![format!("*Pools ({})*", pools.len())];
    lines.extend(pools.iter().map(|pool| {
        let scope = pool.scope();
        let state = pool_states
            .iter()
            .find(|(s, _)| *s == scope)
            .and_then(|(_, state)| state.as_ref());
        line(pool, loaded, state, now)
    }));
    let (chunks, _) = pack_lines(&lines, MAX_SECTION_CHARS, 1, ("pool", "pools"));
    chunks.into_iter().next()
}

impl Answers {
    /// The pools section for the scopes in `loaded`: one load of each pool's scope, in
    /// parallel. `None` when no pool is configured (no load then).
    pub(super) async fn pool_section(&self, loaded: &[Loaded], now: Timestamp) -> Option<String> {
        if self.pools.is_empty() {
            return None;
        }
        let scopes: Vec<Scope> = self.pools.iter().map(Pool::scope).collect();
        let pool_states: Vec<Loaded> = load_all(&self.store, &scopes)
            .await
            .into_iter()
            .map(|(scope, result)| match result {
                Ok(state) => (scope, Some(state)),
                Err(error) => {
                    tracing::warn!(%scope, %error, "/runner-status could not read a pool");
                    (scope, None)
                }
            })
            .collect();
        section(&self.pools, loaded, &pool_states, now)
    }
}
