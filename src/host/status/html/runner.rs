//! `/runner?scope=...&name=...`: one runner, its uptime bar and its outage history.

use std::fmt::Write as _;

use runner_monitor_core::{Outage, Resolution, Scope};

use super::super::bar;
use super::super::format;
use super::super::gather::{Fleet, RunnerView};
use super::layout::{document, escape, legend};

/// The runner page: facts, uptime, and `history` (newest first).
pub fn runner(
    fleet: &Fleet,
    scope: &Scope,
    runner: &RunnerView,
    history: &[Outage],
    refresh: std::time::Duration,
) -> String {
    let record = &runner.record;
    let name = escape(&record.name);
    let mut body = format!(
        "<main><p><a href=\"/\">← all runners</a></p><header class=\"top\"><h1>{name}</h1>\
         <span class=\"meta\">{scope} · updated {now}</span></header>",
        scope = escape(&scope.to_string()),
        now = format::utc(fleet.now),
    );
    if let Some(outage) = &runner.open {
        let _ = write!(
            body,
            "<section class=\"alert\" id=\"attention\"><h2>Outage #{id} ongoing: {trigger} for \
             {lasted}</h2><p>since {started} · {description}</p></section>",
            id = outage.id,
            trigger = outage.trigger,
            lasted = format::since(fleet.now, outage.started_at),
            started = format::utc(outage.started_at),
            description = escape(&outage.description),
        );
    }
    let labels: String = record
        .labels
        .iter()
        .map(|l| format!("<span class=\"label\">{}</span>", escape(l)))
        .collect();
    let _ = write!(
        body,
        "<section><dl class=\"facts\"><dt>status</dt><dd class=\"{class}\"><b>{status}</b>{busy} \
         for {since}</dd><dt>labels</dt><dd>{labels}</dd><dt>os</dt><dd>{os}</dd>\
         <dt>GitHub id</dt><dd>{id}{previous}</dd><dt>first seen</dt><dd>{first}</dd>\
         <dt>ephemeral</dt><dd>{eph}</dd></dl></section>",
        class = if record.is_healthy() { "" } else { "error" },
        status = record.status,
        busy = if record.busy { ", busy" } else { "" },
        since = format::since(fleet.now, record.since),
        os = escape(&record.os),
        id = record.id,
        previous = if record.previous_ids.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = record.previous_ids.iter().map(u64::to_string).collect();
            format!(" (before: {})", ids.join(", "))
        },
        first = format::utc(record.first_seen_at),
        eph = if record.ephemeral { "yes" } else { "no" },
    );
    let _ = write!(
        body,
        "<section><h2>Uptime</h2>{legend}<div class=\"barbox\">{svg}</div>\
         <div class=\"pct\" style=\"justify-content:flex-start;margin-top:8px\">\
         <span><b>{d1}</b><small>24 h</small></span><span><b>{d7}</b><small>7 d</small></span>\
         <span><b>{d30}</b><small>30 d</small></span></div></section>",
        legend = legend(),
        svg = bar::svg(&runner.days, fleet.now),
        d1 = format::percent(&runner.last_24h),
        d7 = format::percent(&runner.last_7d),
        d30 = format::percent(&runner.last_30d),
    );
    body.push_str("<section><h2>Outage history</h2>");
    if history.is_empty() {
        body.push_str("<p class=\"meta\">No outages recorded.</p>");
    } else {
        body.push_str(
            "<table id=\"history\"><thead><tr><th class=\"num\">#</th><th>started</th>\
             <th>ended</th><th class=\"num\">lasted</th><th>status</th><th>how it ended</th>\
             <th class=\"num\">reminders</th></tr></thead><tbody>",
        );
        for outage in history {
            let ended = match (&outage.resolved_at, &outage.resolution) {
                (Some(at), Some(Resolution::Recovered(status))) => {
                    (format::utc(*at), format!("recovered ({status})"))
                }
                (Some(at), Some(Resolution::Removed)) => (format::utc(*at), "removed".to_owned()),
                (Some(at), None) => (format::utc(*at), "resolved".to_owned()),
                (None, _) => ("—".to_owned(), "<b class=\"error\">ongoing</b>".to_owned()),
            };
            let _ = write!(
                body,
                "<tr{open}><td class=\"num\">{id}</td><td>{started}</td><td>{end}</td>\
                 <td class=\"num\">{lasted}</td><td>{trigger}</td><td>{how}</td>\
                 <td class=\"num\">{reminders}</td></tr>",
                open = if outage.is_open() {
                    " class=\"open-outage\""
                } else {
                    ""
                },
                id = outage.id,
                started = format::utc(outage.started_at),
                end = ended.0,
                lasted = format::duration(outage.duration(fleet.now)),
                trigger = outage.trigger,
                how = ended.1,
                reminders = outage.reminders,
            );
        }
        body.push_str("</tbody></table>");
    }
    let _ = write!(
        body,
        "</section><footer>history kept {ttl} · times in UTC</footer></main>",
        ttl = format::duration(fleet.history_ttl)
    );
    document(
        &format!("{} · {}", record.name, scope),
        Some(refresh),
        &body,
    )
}

/// A 404 page.
pub fn not_found(message: &str) -> String {
    document(
        "Not found",
        None,
        &format!(
            "<main><p><a href=\"/\">← all runners</a></p><section><h2>Not found</h2><p>{}</p>\
             </section></main>",
            escape(message)
        ),
    )
}
