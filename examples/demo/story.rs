//! The story: each step changes the fake fleet (or GitHub itself), waits for the monitor, and
//! checks that exactly what should reach Slack did.

use std::net::SocketAddr;
use std::time::Duration;

use runner_monitor::github::fake::Fault;
use runner_monitor::host::health::Health;
use runner_monitor::host::status::Fleet;
use runner_monitor::host::status::report::{self, ReportFormat};
use runner_monitor::slack::signature::sign;
use secrecy::SecretString;

use super::printer::Printer;
use super::world::{SIGNING_SECRET, World};

type Outcome = Result<(), String>;

/// Waits until the monitor has completed `more` further cycles.
async fn cycles(health: &Health, more: u64) {
    let count = || health.status().body["cycles"].as_u64().unwrap_or(0);
    let target = count() + more;
    while count() < target {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (at most 20 s) until Slack has received `total` messages.
async fn messages(world: &World, printer: &Printer<'_>, total: usize) -> Outcome {
    if world.slack.wait_for(total, Duration::from_secs(20)).await {
        printer.flush();
        Ok(())
    } else {
        Err(format!(
            "expected {total} Slack messages, got {}",
            printer.flush()
        ))
    }
}

fn still(printer: &Printer<'_>, expected: usize, why: &str) -> Outcome {
    let got = printer.flush();
    if got == expected {
        printer.note(&format!("✓ nothing sent: {why}"));
        Ok(())
    } else {
        Err(format!(
            "expected {expected} Slack messages so far, got {got}"
        ))
    }
}

pub async fn play(world: &World, health: &Health, printer: &Printer<'_>) -> Outcome {
    println!("runner-monitor demo: a fake GitHub, a local Slack webhook, the real monitor.");
    println!("  acme/api  build-1, build-2 (busy), updater-1, eph-7 (ephemeral, busy)");
    println!("  org:acme  gpu-1, gpu-2");
    println!("  a cycle every second; an outage opens after 3 s unhealthy; SQLite in a temp dir");
    cycles(health, 2).await;
    printer.note("✓ two quiet cycles: every runner is online");

    printer.step("build-1 goes offline");
    world.github.set_online(&world.api, "build-1", false);
    messages(world, printer, 1).await?;
    printer.note("✓ one alert, once build-1 had been offline for open_after (3 s)");

    printer.step("updater-1 restarts for a self-update (offline for about a second)");
    world.github.set_online(&world.api, "updater-1", false);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    world.github.set_online(&world.api, "updater-1", true);
    cycles(health, 4).await;
    still(printer, 1, "back before open_after")?;

    printer.step("eph-7, an ephemeral runner, finishes its job and deregisters");
    world.github.remove_runner(&world.api, "eph-7");
    cycles(health, 2).await;
    still(printer, 1, "ephemeral runners leave silently")?;

    printer.step("gpu-2 is re-registered under the same name (GitHub gives it a new id)");
    world.github.reregister(&world.org, "gpu-2");
    cycles(health, 2).await;
    still(printer, 1, "same name, same runner")?;

    printer.step("GitHub answers 500 for six seconds");
    world.github.inject(Fault::server_error(500).always());
    tokio::time::sleep(Duration::from_secs(6)).await;
    world.github.clear_faults();
    cycles(health, 2).await;
    still(
        printer,
        1,
        "no data is not \"offline\", and 6 s is below source_alert_after (20 s)",
    )?;

    printer.step("build-1 comes back online");
    world.github.set_online(&world.api, "build-1", true);
    messages(world, printer, 2).await?;
    printer.note("✓ the outage resolved, with its duration");
    Ok(())
}

pub async fn summary(world: &World, printer: &Printer<'_>, elapsed: Duration) {
    println!("\n── summary ─────────────────────────────────────────────────────");
    println!(
        "  {} Slack messages for 6 events, in {:.0} s",
        printer.flush(),
        elapsed.as_secs_f64()
    );
    let store = &world.host.store;
    for scope in [&world.api, &world.org] {
        match store.load(scope).await {
            Ok(state) => {
                let runners: Vec<String> = state
                    .runners
                    .values()
                    .map(|r| format!("{} {}", r.name, r.status.label()))
                    .collect();
                println!("  {scope}: {}", runners.join(", "));
            }
            Err(error) => println!("  {scope}: cannot read the store: {error}"),
        }
    }
    if let Ok(outages) = store.outages(&world.api, "build-1", 5).await {
        for outage in outages {
            let lasted = outage
                .resolved_at
                .map(|end| format!("{} s", (end - outage.started_at).num_seconds()))
                .unwrap_or_else(|| "ongoing".to_owned());
            println!("  build-1 outage #{}: {lasted}", outage.id);
        }
    }
}

/// The uptime report of the demo's store, as `daemon --report --since 1d` prints it.
pub async fn report(world: &World) {
    let config = &world.host.config;
    let fleet = Fleet::gather(
        world.host.store.as_ref(),
        &config.github.scopes,
        chrono::Utc::now(),
        Duration::from_secs(86_400),
        config.policy.history_ttl,
    )
    .await;
    println!("\n── report (daemon --report --since 1d) ──────────────────────────");
    print!("{}", report::render(&fleet, ReportFormat::Markdown));
}

pub fn curl_hints(addr: SocketAddr, config: &std::path::Path) {
    println!("\nThe status page: http://{addr}/  (open it in a browser)");
    let body = "command=%2Frunner-history&text=build-1+acme%2Fapi";
    let ts = chrono::Utc::now().timestamp().to_string();
    let signature = sign(&SecretString::from(SIGNING_SECRET), &ts, body.as_bytes());
    println!("\nThe endpoints stay up until Ctrl-C:");
    println!("  curl http://{addr}/api/v1/status");
    println!("  curl 'http://{addr}/api/v1/uptime?since=1d'");
    println!("  curl http://{addr}/metrics");
    println!("  curl http://{addr}/healthz");
    println!(
        "  curl -X POST http://{addr}/slack/commands -H 'X-Slack-Request-Timestamp: {ts}' \\\n       -H 'X-Slack-Signature: {signature}' --data '{body}'"
    );
    println!("  (the signature is valid for five minutes, as Slack's are)");
    println!("The report from the demo's store, while it runs:");
    println!(
        "  cargo run --example daemon --features host -- --config {} --report --since 1d [--format csv]",
        config.display()
    );
}
