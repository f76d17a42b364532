//! The story: each step changes the fake fleet (or GitHub itself), waits for the monitor, and
//! checks that exactly what should reach Slack did.

use std::net::SocketAddr;
use std::time::Duration;

use runner_monitor::core::Scope;
use runner_monitor::github::fake::Fault;
use runner_monitor::host::health::Health;
use runner_monitor::host::status;
use runner_monitor::host::status::report::{self, ReportFormat};
use runner_monitor::slack::fake::render_plain;
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

/// Checks that Slack has received exactly `expected` messages so far.
fn count_is(printer: &Printer<'_>, expected: usize) -> Outcome {
    let got = printer.flush();
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "expected {expected} Slack messages so far, got {got}"
        ))
    }
}

/// Checks that nothing more reached Slack, and says why it should not have.
fn still(printer: &Printer<'_>, expected: usize, why: &str) -> Outcome {
    count_is(printer, expected)?;
    printer.note(&format!("✓ nothing sent: {why}"));
    Ok(())
}

/// Checks that the last message was the only one, and says what it covered.
fn only_one(printer: &Printer<'_>, expected: usize, what: &str) -> Outcome {
    count_is(printer, expected)?;
    printer.note(&format!("✓ one message, and only one: {what}"));
    Ok(())
}

/// Sends a signed slash command to the daemon's `/slack/commands`, as Slack does; returns the
/// answer as plain text.
async fn slash(addr: SocketAddr, command: &str, text: &str) -> Result<String, String> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("command", command)
        .append_pair("text", text)
        .append_pair("user_id", "U0DEMO")
        .append_pair("channel_id", "C0RUNNERS")
        .finish();
    let ts = chrono::Utc::now().timestamp().to_string();
    let signature = sign(&SecretString::from(SIGNING_SECRET), &ts, body.as_bytes());
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/slack/commands"))
        .header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", signature)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{command}: {e}"))?;
    let status = response.status();
    let answer: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("{command}: the answer is not JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!("{command} answered {status}: {answer}"));
    }
    Ok(render_plain(&answer))
}

/// Waits (at most 20 s) until every one of `runners` has an open outage in `scope`.
async fn opened(world: &World, scope: &Scope, runners: &[&str]) -> Outcome {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let state = world
            .host
            .store
            .load(scope)
            .await
            .map_err(|e| e.to_string())?;
        if runners.iter().all(|r| state.open_outages.contains_key(*r)) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("no open outage for all of {runners:?} in {scope}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The last Slack message received, as plain text.
fn last_message(world: &World) -> String {
    world
        .slack
        .messages()
        .last()
        .map(render_plain)
        .unwrap_or_default()
}

/// How long the demo's maintenance silence lasts: long enough for the GPU outages to open and
/// be held back inside it, on a loaded machine too.
const SILENCE: &str = "15s";

pub async fn play(
    world: &World,
    health: &Health,
    printer: &Printer<'_>,
    addr: Option<SocketAddr>,
) -> Outcome {
    let addr = addr.ok_or("the daemon serves no HTTP endpoint")?;
    println!("runner-monitor demo: a fake GitHub, a local Slack webhook, the real monitor.");
    println!("  acme/api  build-1, build-2 (busy), updater-1, eph-7 (ephemeral, busy)");
    println!("  org:acme  gpu-1, gpu-2 (label gpu)");
    println!("  a cycle every second; an outage opens after 3 s unhealthy; SQLite in a temp dir");
    println!("  what falls due within group_wait (2 s) goes out as one message");
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

    silenced_maintenance(world, health, printer, addr).await
}

/// A maintenance window set from Slack: the GPU rack goes down inside it (recorded, nothing
/// sent), is still down when it ends (one grouped opening then), and comes back (one grouped
/// resolution).
async fn silenced_maintenance(
    world: &World,
    health: &Health,
    printer: &Printer<'_>,
    addr: SocketAddr,
) -> Outcome {
    let text = format!("label:gpu {SILENCE} rack maintenance");
    printer.step(&format!("someone types /runner-silence {text} in Slack"));
    let answer = slash(addr, "/runner-silence", &text).await?;
    for line in answer.lines().filter(|l| !l.trim().is_empty()) {
        println!("  │ {line}");
    }
    if !answer.contains("silenced") {
        return Err(format!("/runner-silence did not silence: {answer}"));
    }
    printer.note("✓ the signed command set a silence, stored in SQLite");

    printer.step("gpu-1 and gpu-2 go offline for the maintenance");
    world.github.set_online(&world.org, "gpu-1", false);
    world.github.set_online(&world.org, "gpu-2", false);
    opened(world, &world.org, &["gpu-1", "gpu-2"]).await?;
    // Past group_wait: the dispatcher has seen both deliveries and held them back.
    cycles(health, 3).await;
    still(
        printer,
        2,
        "both outages are recorded (history has them), not sent, while silenced",
    )?;

    printer.step(&format!(
        "the silence ends ({SILENCE} after it was set) with the rack still down"
    ));
    messages(world, printer, 3).await?;
    let opening = last_message(world);
    if !(opening.contains("gpu-1") && opening.contains("gpu-2")) {
        return Err(format!(
            "the opening should name gpu-1 and gpu-2: {opening}"
        ));
    }
    cycles(health, 2).await;
    only_one(
        printer,
        3,
        "both openings, held back by the silence, grouped when it ended",
    )?;

    printer.step("gpu-1 and gpu-2 come back online");
    world.github.set_online(&world.org, "gpu-1", true);
    world.github.set_online(&world.org, "gpu-2", true);
    messages(world, printer, 4).await?;
    let resolution = last_message(world);
    if !(resolution.contains("gpu-1") && resolution.contains("gpu-2")) {
        return Err(format!(
            "the resolution should name gpu-1 and gpu-2: {resolution}"
        ));
    }
    cycles(health, 2).await;
    only_one(printer, 4, "the whole group is back")?;
    Ok(())
}

pub async fn summary(world: &World, printer: &Printer<'_>, elapsed: Duration) {
    println!("\n── summary ─────────────────────────────────────────────────────");
    println!(
        "  {} Slack messages for 10 steps, in {:.0} s",
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
    let fleet = status::fleet_of(
        world.host.store.as_ref(),
        config,
        chrono::Utc::now(),
        Duration::from_secs(86_400),
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
