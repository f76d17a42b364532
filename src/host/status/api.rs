//! The JSON API: `GET /api/v1/status` (the page's data) and `GET /api/v1/uptime?since=30d`
//! (uptime, outage counts and mean time to recovery per runner, label group and scope). Fields
//! are documented in the README ("Status page"). Times are RFC 3339 UTC, durations in seconds.

use std::time::Duration;

use runner_monitor_core::Outage;
use runner_monitor_core::uptime::{Day, Uptime};
use serde_json::{Value, json};

use super::gather::{Fleet, RunnerView, ScopeView};

/// The longest `since` the API and the report accept.
pub const MAX_SINCE: Duration = Duration::from_secs(400 * 86_400);

/// Parses `since` (`30d`, `12h`, `1w`): positive and at most [`MAX_SINCE`].
///
/// # Errors
/// A message naming the problem.
pub fn parse_since(text: &str) -> Result<Duration, String> {
    let since = humantime::parse_duration(text.trim())
        .map_err(|e| format!("since `{text}`: {e}; write e.g. 30d, 7d, 24h"))?;
    if since.is_zero() {
        return Err(format!("since `{text}`: must be positive"));
    }
    if since > MAX_SINCE {
        return Err(format!("since `{text}`: at most 400d"));
    }
    Ok(since)
}

/// An [`Uptime`] as JSON.
pub fn uptime(up: &Uptime) -> Value {
    json!({
        "ratio": up.ratio(),
        "observed_seconds": up.observed.as_secs(),
        "down_seconds": up.down.as_secs(),
        "silenced_seconds": up.silenced.as_secs(),
        "outages": up.outages,
    })
}

fn outage(o: &Outage, now: runner_monitor_core::Timestamp) -> Value {
    json!({
        "id": o.id,
        "runner": o.runner,
        "trigger": o.trigger,
        "started_at": o.started_at,
        "resolved_at": o.resolved_at,
        "resolution": o.resolution,
        "duration_seconds": o.duration(now).as_secs(),
        "description": o.description,
        "reminders": o.reminders,
    })
}

fn day(d: &Day) -> Value {
    json!({
        "date": d.date.to_string(),
        "uptime": uptime(&d.uptime),
        "outages": d.outages.iter().map(|o| o.id).collect::<Vec<_>>(),
    })
}

fn runner(fleet: &Fleet, r: &RunnerView) -> Value {
    let record = &r.record;
    json!({
        "name": record.name,
        "id": record.id,
        "status": record.status,
        "healthy": record.is_healthy(),
        "busy": record.busy,
        "labels": record.labels,
        "os": record.os,
        "ephemeral": record.ephemeral,
        "since": record.since,
        "first_seen_at": record.first_seen_at,
        "open_outage": r.open.as_ref().map(|o| outage(o, fleet.now)),
        "uptime": {
            "24h": uptime(&r.last_24h),
            "7d": uptime(&r.last_7d),
            "30d": uptime(&r.last_30d),
        },
        "days": r.days.iter().map(day).collect::<Vec<_>>(),
    })
}

fn scope_status(fleet: &Fleet, s: &ScopeView) -> Value {
    json!({
        "scope": s.scope,
        "kind": s.scope.kind(),
        "error": s.error,
        "last_success_at": s.record.last_success_at,
        "failing_since": s.record.failing_since,
        "degraded": s.record.degraded.is_some(),
        "runners": s.runners.iter().map(|r| runner(fleet, r)).collect::<Vec<_>>(),
        "label_groups": s.label_groups().iter().map(|g| json!({
            "label": g.label,
            "runners": g.runners,
            "healthy": g.healthy,
            "uptime_30d": uptime(&g.window),
        })).collect::<Vec<_>>(),
    })
}

/// `/api/v1/status`.
pub fn status(fleet: &Fleet) -> Value {
    json!({
        "generated_at": fleet.now,
        "history_ttl_seconds": fleet.history_ttl.as_secs(),
        "open_outages": fleet.open_outages().iter().map(|(scope, _, o)| {
            let mut value = outage(o, fleet.now);
            value["scope"] = json!(scope);
            value
        }).collect::<Vec<_>>(),
        "scopes": fleet.scopes.iter().map(|s| scope_status(fleet, s)).collect::<Vec<_>>(),
        "pools": fleet.pools.iter().map(|p| json!({
            "name": p.pool.name,
            "labels": p.pool.labels,
            "count": p.count,
            "below": p.count.as_ref().map(runner_monitor_core::PoolCount::is_below),
            "open_outage": p.open.as_ref().map(|o| outage(o, fleet.now)),
            "error": p.error,
        })).collect::<Vec<_>>(),
    })
}

fn secs(d: Option<Duration>) -> Option<u64> {
    d.map(|d| d.as_secs())
}

/// `/api/v1/uptime?since=...` (the fleet gathered with that `since`).
pub fn uptime_report(fleet: &Fleet, since_text: &str) -> Value {
    let total = fleet
        .scopes
        .iter()
        .fold(Uptime::default(), |sum, s| sum.plus(s.window()));
    let from = chrono::Duration::from_std(fleet.since)
        .ok()
        .and_then(|d| fleet.now.checked_sub_signed(d));
    json!({
        "generated_at": fleet.now,
        "since": since_text,
        "since_seconds": fleet.since.as_secs(),
        "from": from,
        "to": fleet.now,
        "history_ttl_seconds": fleet.history_ttl.as_secs(),
        "uptime": uptime(&total),
        "scopes": fleet.scopes.iter().map(|s| json!({
            "scope": s.scope,
            "error": s.error,
            "uptime": uptime(&s.window()),
            "mttr_seconds": secs(s.mttr()),
            "runners": s.runners.iter().map(|r| json!({
                "name": r.record.name,
                "labels": r.record.labels,
                "uptime": uptime(&r.window),
                "mttr_seconds": secs(r.mttr),
            })).collect::<Vec<_>>(),
            "label_groups": s.label_groups().iter().map(|g| json!({
                "label": g.label,
                "runners": g.runners,
                "uptime": uptime(&g.window),
                "mttr_seconds": secs(g.mttr),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_checked() {
        assert_eq!(parse_since("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_since(" 12h "), Ok(Duration::from_secs(12 * 3600)));
        assert!(parse_since("0s").expect_err("zero").contains("positive"));
        assert!(parse_since("1000d").expect_err("too long").contains("400d"));
        assert!(
            parse_since("soon")
                .expect_err("not a duration")
                .contains("since `soon`")
        );
    }
}
