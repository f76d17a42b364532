//! `/`: the whole fleet. Open outages and degraded scopes first, then every scope with its
//! runners (status, labels, since when, a 30-day uptime bar, uptime over 24 h / 7 d / 30 d).

use std::fmt::Write as _;
use std::time::Duration;

use runner_monitor_core::Scope;

use super::super::bar;
use super::super::format;
use super::super::gather::{Fleet, RunnerView, ScopeView};
use super::layout::{document, escape, legend};

/// The fleet page.
pub fn fleet(fleet: &Fleet, refresh: Duration) -> String {
    let mut body = String::from("<main>");
    let open = fleet.open_outages();
    let total = fleet.runners().count();
    let healthy = fleet
        .runners()
        .filter(|(_, r)| r.record.is_healthy())
        .count();
    let busy = fleet.runners().filter(|(_, r)| r.record.busy).count();
    let _ = write!(
        body,
        "<header class=\"top\"><h1>Runner status</h1><span class=\"meta\">updated {now} · \
         refreshes every {refresh} · <a href=\"/api/v1/status\">JSON</a></span></header>",
        now = format::utc(fleet.now),
        refresh = format::duration(refresh),
    );
    let _ = write!(
        body,
        "<ul class=\"pills\"><li class=\"pill\"><b>{total}</b> runners</li>\
         <li class=\"pill good\"><b>{healthy}</b> healthy</li>\
         <li class=\"pill\"><b>{busy}</b> busy</li>\
         <li class=\"pill{bad}\"><b>{down}</b> down</li>\
         <li class=\"pill{bad_open}\"><b>{open}</b> open outage{s}</li></ul>",
        down = total - healthy,
        bad = if total > healthy { " bad" } else { "" },
        open = open.len(),
        bad_open = if open.is_empty() { "" } else { " bad" },
        s = if open.len() == 1 { "" } else { "s" },
    );
    body.push_str(&attention(fleet));
    body.push_str(&pools_section(fleet));
    body.push_str(&legend());
    for scope in &fleet.scopes {
        body.push_str(&scope_section(fleet, scope));
    }
    let _ = write!(
        body,
        "<footer>runner-monitor · uptime from outage history (kept {ttl}) · times in UTC</footer>\
         </main>",
        ttl = format::duration(fleet.history_ttl)
    );
    let title = match open.len() {
        0 => "Runner status".to_owned(),
        n => format!("({n}) Runner status"),
    };
    document(&title, Some(refresh), &body)
}

/// The capacity pools against their floors (nothing without pools).
fn pools_section(fleet: &Fleet) -> String {
    if fleet.pools.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"pools\" id=\"pools\"><h2>Pools ({})</h2><ul class=\"pool-list\">",
        fleet.pools.len()
    );
    for view in &fleet.pools {
        let name = escape(&view.pool.name);
        let (state, text) = match (&view.count, &view.open, &view.error) {
            (_, _, Some(error)) => ("unknown", format!("its record cannot be read: {error}")),
            (None, _, None) => ("unknown", "no valid floor".to_owned()),
            (Some(count), Some(outage), None) => {
                let ack = outage
                    .acknowledged
                    .as_ref()
                    .map(|a| format!(" · acknowledged by {}", a.by))
                    .unwrap_or_default();
                (
                    "down",
                    format!(
                        "{} of {} {} (minimum {}) — below its floor for {} (since {}) · outage #{}{ack}",
                        count.count,
                        count.total,
                        count.measure.as_str(),
                        count.minimum,
                        format::since(fleet.now, outage.started_at),
                        format::utc(outage.started_at),
                        outage.id
                    ),
                )
            }
            (Some(count), None, None) => (
                if count.is_below() { "warn" } else { "up" },
                format!(
                    "{} of {} {} (minimum {}){}",
                    count.count,
                    count.total,
                    count.measure.as_str(),
                    count.minimum,
                    if count.is_below() {
                        " — below its floor"
                    } else {
                        ""
                    }
                ),
            ),
        };
        let _ = write!(
            out,
            "<li class=\"pool\" data-pool=\"{name}\" data-state=\"{state}\"><span class=\"dot {state}\"></span>\
             <b>{name}</b> <small>{labels}</small> — {text}</li>",
            labels = escape(&view.pool.labels.join(", ")),
            text = escape(&text),
        );
    }
    out.push_str("</ul></section>");
    out
}

/// Open outages and degraded monitoring, or a calm line when there are none.
fn attention(fleet: &Fleet) -> String {
    let open = fleet.open_outages();
    let degraded: Vec<&ScopeView> = fleet
        .scopes
        .iter()
        .filter(|s| s.error.is_some() || s.record.failing_since.is_some())
        .collect();
    if open.is_empty() && degraded.is_empty() {
        return "<section class=\"calm\" id=\"attention\"><h2>✓ No open outages</h2></section>"
            .to_owned();
    }
    let mut out = String::from("<section class=\"alert\" id=\"attention\">");
    if !open.is_empty() {
        let _ = write!(
            out,
            "<h2>Open outages ({})</h2><ul class=\"outages\">",
            open.len()
        );
        for (scope, runner, outage) in &open {
            let _ = write!(
                out,
                "<li class=\"open-outage\" data-runner=\"{name}\"><span class=\"dot down\"></span>\
                 <a href=\"{href}\"><b>{name}</b></a> in {scope} — <b>{trigger}</b> for \
                 {lasted} (since {started}) · outage #{id}<br><small>{description}</small></li>",
                name = escape(&runner.record.name),
                href = runner_href(scope, &runner.record.name),
                scope = escape(&scope.to_string()),
                trigger = outage.trigger,
                lasted = format::since(fleet.now, outage.started_at),
                started = format::utc(outage.started_at),
                id = outage.id,
                description = escape(&outage.description),
            );
        }
        out.push_str("</ul>");
    }
    for scope in degraded {
        let what = match (&scope.error, &scope.record.failing_since) {
            (Some(error), _) => format!("the store cannot be read: {error}"),
            (None, Some(since)) => format!(
                "GitHub has not answered for {}{}",
                format::since(fleet.now, *since),
                scope
                    .record
                    .last_failure
                    .as_ref()
                    .map(|f| format!(" ({})", f.message))
                    .unwrap_or_default()
            ),
            (None, None) => continue,
        };
        let _ = write!(
            out,
            "<h2>Monitoring degraded: {scope}</h2><p>{what}</p>",
            scope = escape(&scope.scope.to_string()),
            what = escape(&what),
        );
    }
    out.push_str("</section>");
    out
}

fn scope_section(fleet: &Fleet, scope: &ScopeView) -> String {
    let id = escape(&scope.scope.to_string());
    let mut out = format!("<section class=\"scope\" data-scope=\"{id}\">");
    let healthy = scope
        .runners
        .iter()
        .filter(|r| r.record.is_healthy())
        .count();
    let _ = write!(
        out,
        "<div class=\"scope-head\"><h2>{id}</h2><span class=\"meta\">{kind} · <b>{healthy}</b> of \
         {count} healthy · 30 d <b>{pct}</b></span></div>",
        kind = scope.scope.kind(),
        count = scope.runners.len(),
        pct = format::percent(&scope.runners.iter().fold(
            Default::default(),
            |sum: runner_monitor_core::uptime::Uptime, r| sum.plus(r.last_30d)
        )),
    );
    if let Some(error) = &scope.error {
        let _ = write!(out, "<p class=\"error\">{}</p>", escape(error));
    } else if scope.runners.is_empty() {
        out.push_str("<p class=\"meta\">No runners registered.</p>");
    }
    for runner in &scope.runners {
        out.push_str(&runner_row(fleet, &scope.scope, runner));
    }
    let groups = scope.label_groups();
    if !groups.is_empty() {
        out.push_str(
            "<details class=\"groups\"><summary>By label</summary><table><thead><tr>\
             <th>label</th><th class=\"num\">runners</th><th class=\"num\">healthy</th>\
             <th class=\"num\">uptime 30 d</th><th class=\"num\">outages</th></tr></thead><tbody>",
        );
        for group in groups {
            let _ = write!(
                out,
                "<tr><td><span class=\"label\">{label}</span></td><td class=\"num\">{runners}</td>\
                 <td class=\"num\">{healthy}</td><td class=\"num\">{pct}</td>\
                 <td class=\"num\">{outages}</td></tr>",
                label = escape(&group.label),
                runners = group.runners,
                healthy = group.healthy,
                pct = format::percent(&group.window),
                outages = group.window.outages,
            );
        }
        out.push_str("</tbody></table></details>");
    }
    out.push_str("</section>");
    out
}

fn runner_row(fleet: &Fleet, scope: &Scope, runner: &RunnerView) -> String {
    let record = &runner.record;
    let down = !record.is_healthy();
    let labels: String = record
        .labels
        .iter()
        .filter(|l| *l != "self-hosted")
        .map(|l| format!("<span class=\"label\">{}</span>", escape(l)))
        .collect();
    let state = if record.is_healthy() && record.busy {
        "Busy".to_owned()
    } else {
        record.status.label().to_owned()
    };
    let detail = match &runner.open {
        Some(outage) => format!(
            "outage #{} · {}",
            outage.id,
            format::since(fleet.now, outage.started_at)
        ),
        None => format!("for {}", format::since(fleet.now, record.since)),
    };
    let first = runner
        .days
        .first()
        .map(|d| d.date.format("%b %-d").to_string());
    format!(
        "<div class=\"runner{down_class}\" data-runner=\"{name}\" data-status=\"{status}\">\
         <div class=\"name\"><span class=\"dot\"></span><a href=\"{href}\">{name}</a>\
         <span class=\"labels\">{labels}{eph}</span></div>\
         <div class=\"state\"><span class=\"st\">{state}</span><small>{detail}</small></div>\
         <div class=\"barbox\">{svg}<div class=\"bar-foot\"><span>{first}</span><span>today</span></div></div>\
         <div class=\"pct\"><span><b>{d1}</b><small>24 h</small></span><span><b>{d7}</b>\
         <small>7 d</small></span><span><b>{d30}</b><small>30 d</small></span></div></div>",
        down_class = if down { " down" } else { "" },
        name = escape(&record.name),
        status = record.status.label().to_lowercase(),
        href = runner_href(scope, &record.name),
        eph = if record.ephemeral {
            "<span class=\"label\">ephemeral</span>"
        } else {
            ""
        },
        svg = bar::svg(&runner.days, fleet.now),
        first = first.unwrap_or_default(),
        d1 = format::percent(&runner.last_24h),
        d7 = format::percent(&runner.last_7d),
        d30 = format::percent(&runner.last_30d),
    )
}

/// `/runner?scope=...&name=...`, escaped for an attribute.
pub(super) fn runner_href(scope: &Scope, name: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("scope", &scope.to_string())
        .append_pair("name", name)
        .finish();
    escape(&format!("/runner?{query}"))
}
