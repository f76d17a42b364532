//! `daemon --report --since 30d [--format markdown|csv]`: uptime per runner, label group and
//! scope, outage counts and mean time to recovery, for people who ask "how reliable were the
//! runners last month".

use std::fmt::Write as _;
use std::time::Duration;

use runner_monitor_core::uptime::Uptime;

use super::format;
use super::gather::Fleet;

/// How the report is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown tables (paste into an issue or a wiki).
    #[default]
    Markdown,
    /// CSV, one row per runner, label group, scope and the fleet (for spreadsheets).
    Csv,
}

/// The report of `fleet` (gathered with the report's `since`) in `format`.
pub fn render(fleet: &Fleet, format: ReportFormat) -> String {
    match format {
        ReportFormat::Markdown => markdown(fleet),
        ReportFormat::Csv => csv(fleet),
    }
}

fn mttr(d: Option<Duration>) -> String {
    d.map_or_else(|| "–".to_owned(), format::duration)
}

/// A table cell: no `|` or line breaks from GitHub names.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(fleet: &Fleet) -> String {
    let since = format::duration(fleet.since);
    let from = chrono::Duration::from_std(fleet.since)
        .ok()
        .and_then(|d| fleet.now.checked_sub_signed(d))
        .map(format::utc)
        .unwrap_or_default();
    let mut out = format!(
        "# Runner uptime, last {since}\n\n{from} to {now}.",
        now = format::utc(fleet.now)
    );
    if fleet.since > fleet.history_ttl {
        let _ = write!(
            out,
            " History is kept {}: uptime is measured over that part only.",
            format::duration(fleet.history_ttl)
        );
    }
    out.push_str(" Uptime counts from when a runner was first seen.\n");
    let header = "| {what} | uptime | down | outages | MTTR |\n|---|---:|---:|---:|---:|\n";
    let row = |name: &str, up: &Uptime, m: Option<Duration>| {
        format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(name),
            format::percent(up),
            format::duration(up.down),
            up.outages,
            mttr(m)
        )
    };
    let mut total = Uptime::default();
    let mut runners = 0;
    for scope in &fleet.scopes {
        let up = scope.window();
        total = total.plus(up);
        runners += scope.runners.len();
        let _ = write!(
            out,
            "\n## {} — {}, {} outage{}, MTTR {}\n\n",
            cell(&scope.scope.to_string()),
            format::percent(&up),
            up.outages,
            if up.outages == 1 { "" } else { "s" },
            mttr(scope.mttr())
        );
        if let Some(error) = &scope.error {
            let _ = writeln!(out, "The store cannot be read: {}", cell(error));
            continue;
        }
        out.push_str(&header.replace("{what}", "runner"));
        for runner in &scope.runners {
            out.push_str(&row(&runner.record.name, &runner.window, runner.mttr));
        }
        let groups = scope.label_groups();
        if !groups.is_empty() {
            out.push('\n');
            out.push_str(&header.replace("{what}", "label"));
            for group in groups {
                let name = format!("{} ({} runners)", group.label, group.runners);
                out.push_str(&row(&name, &group.window, group.mttr));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n**Fleet: {} over {runners} runners, {} outage{}, down {} in total.**",
        format::percent(&total),
        total.outages,
        if total.outages == 1 { "" } else { "s" },
        format::duration(total.down)
    );
    out
}

/// A CSV field, quoted when needed.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(fleet: &Fleet) -> String {
    let mut out = String::from(
        "kind,scope,name,labels,uptime_percent,observed_seconds,down_seconds,silenced_seconds,\
         outages,mttr_seconds\n",
    );
    let mut line =
        |kind: &str, scope: &str, name: &str, labels: &str, up: &Uptime, m: Option<Duration>| {
            let _ = writeln!(
                out,
                "{kind},{},{},{},{},{},{},{},{},{}",
                field(scope),
                field(name),
                field(labels),
                up.ratio()
                    .map(|r| format!("{:.4}", r * 100.0))
                    .unwrap_or_default(),
                up.observed.as_secs(),
                up.down.as_secs(),
                up.silenced.as_secs(),
                up.outages,
                m.map(|d| d.as_secs().to_string()).unwrap_or_default(),
            );
        };
    let mut total = Uptime::default();
    for scope in &fleet.scopes {
        let id = scope.scope.to_string();
        for runner in &scope.runners {
            line(
                "runner",
                &id,
                &runner.record.name,
                &runner.record.labels.join(" "),
                &runner.window,
                runner.mttr,
            );
        }
        for group in scope.label_groups() {
            line("label", &id, &group.label, "", &group.window, group.mttr);
        }
        total = total.plus(scope.window());
        line("scope", &id, "", "", &scope.window(), scope.mttr());
    }
    line("fleet", "", "", "", &total, None);
    out
}
