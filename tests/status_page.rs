//! The status page and JSON API from a real daemon (in process, real HTTP) watching dozens of
//! fake runners, with seeded history and an outage opened while it runs.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

mod e2e_support;
mod status_support;

use std::sync::Arc;

use base64::Engine as _;
use e2e_support::with_daemon;
use runner_monitor::core::Store;
use runner_monitor::core::testing::CountingStore;
use runner_monitor::host::daemon::{Args, Daemon, Io, run_with};
use runner_monitor::host::status::report::ReportFormat;
use runner_monitor::host::status::{self, StatusPage};
use status_support::{Fleet, HOSTILE_LABEL, runner, wait_status};

async fn get(client: &reqwest::Client, url: String) -> (u16, String, String) {
    let answer = client.get(url).send().await.unwrap();
    let code = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (code, kind, answer.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_api_show_the_fleet_its_open_outage_and_its_history() {
    let fleet = Fleet::start().await;
    let fleet = &fleet;
    let daemon = Daemon::start(fleet.host("", &[]).await).await.unwrap();
    let addr = daemon.http_addr().unwrap();
    with_daemon(daemon, |_, _| async move {
        let client = reqwest::Client::new();
        let status_url = format!("http://{addr}/api/v1/status");
        wait_status(&client, &status_url, "every runner listed", |s| {
            s["scopes"].as_array().is_some_and(|scopes| {
                scopes
                    .iter()
                    .map(|s| s["runners"].as_array().map_or(0, Vec::len))
                    .sum::<usize>()
                    == fleet.runners
            })
        })
        .await;
        fleet.github.set_online(&fleet.web, "linux-12", false);
        let status = wait_status(&client, &status_url, "linux-12's outage", |s| {
            s["open_outages"].as_array().is_some_and(|o| o.len() == 1)
        })
        .await;

        // JSON: the open outage, the history across midnight, uptime, silenced time separate.
        let open = &status["open_outages"][0];
        assert_eq!(open["runner"], "linux-12");
        assert_eq!(open["scope"], "acme/web");
        assert!(open["resolved_at"].is_null());
        let down = runner(&status, "acme/web", "linux-12");
        assert_eq!(down["healthy"], false);
        assert_eq!(down["open_outage"]["id"], 1);
        let crossed = runner(&status, "acme/web", "linux-03");
        let days = crossed["days"].as_array().unwrap();
        assert_eq!(days.len(), 30);
        let with_outage: Vec<&str> = days
            .iter()
            .filter(|d| d["outages"].as_array().unwrap().len() == 1)
            .map(|d| d["date"].as_str().unwrap())
            .collect();
        let (start, end) = fleet.midnight;
        assert_eq!(
            with_outage,
            [start.date_naive().to_string(), end.date_naive().to_string()],
            "the outage across midnight shows on both days"
        );
        let before = days
            .iter()
            .find(|d| d["date"] == start.date_naive().to_string())
            .unwrap();
        assert_eq!(
            before["uptime"]["down_seconds"],
            2 * 3600,
            "22:00 to midnight"
        );
        let after = days
            .iter()
            .find(|d| d["date"] == end.date_naive().to_string())
            .unwrap();
        assert_eq!(
            after["uptime"]["down_seconds"],
            90 * 60,
            "midnight to 01:30"
        );
        let month = &crossed["uptime"]["30d"];
        assert_eq!(month["down_seconds"], 3 * 3600 + 30 * 60);
        assert_eq!(month["silenced_seconds"], 0);
        assert!(month["ratio"].as_f64().unwrap() < 1.0);
        assert_eq!(
            runner(&status, "acme/web", "linux-01")["uptime"]["30d"]["ratio"],
            1.0
        );
        assert_eq!(crossed["uptime"]["24h"]["down_seconds"], 0);

        // HTML: every runner a row, the open outage first and highlighted, labels escaped.
        let (code, kind, page) = get(&client, format!("http://{addr}/")).await;
        assert_eq!(code, 200);
        assert!(kind.starts_with("text/html"), "{kind}");
        assert_eq!(page.matches("<div class=\"runner").count(), fleet.runners);
        assert_eq!(page.matches("<svg class=\"bar\"").count(), fleet.runners);
        assert!(page.contains("<meta http-equiv=\"refresh\" content=\"60\">"));
        assert!(page.contains("<div class=\"runner down\" data-runner=\"linux-12\""));
        let attention = page.find("id=\"attention\"").unwrap();
        let first_scope = page.find("class=\"scope\"").unwrap();
        assert!(attention < first_scope, "open outages come first");
        assert!(page[attention..first_scope].contains("linux-12"));
        assert!(!page.contains(HOSTILE_LABEL), "GitHub text is escaped");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("Open outages (1)"));

        // The runner page with its history.
        let (code, _, page) = get(
            &client,
            format!("http://{addr}/runner?scope=acme%2Fweb&name=linux-03"),
        )
        .await;
        assert_eq!(code, 200, "{page}");
        assert!(page.contains("<table id=\"history\">"));
        assert!(page.contains("recovered (Idle)"));
        assert!(page.contains("3h 30m"), "the outage's length");
        let (code, _, _) = get(
            &client,
            format!("http://{addr}/runner?scope=acme%2Fweb&name=nope"),
        )
        .await;
        assert_eq!(code, 404);
        let (code, _, _) = get(
            &client,
            format!("http://{addr}/runner?scope=other%2Frepo&name=x"),
        )
        .await;
        assert_eq!(code, 404);

        // Uptime over a chosen range; bad ranges are a 400 naming the problem.
        let (code, _, body) = get(&client, format!("http://{addr}/api/v1/uptime?since=7d")).await;
        assert_eq!(code, 200, "{body}");
        let uptime: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(uptime["since_seconds"], 7 * 86_400);
        let web = &uptime["scopes"][0];
        let linux07 = web["runners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "linux-07")
            .unwrap();
        assert_eq!(linux07["uptime"]["down_seconds"], 5 * 3600);
        assert_eq!(linux07["mttr_seconds"], 5 * 3600);
        let (code, _, body) = get(&client, format!("http://{addr}/api/v1/uptime?since=soon")).await;
        assert_eq!(code, 400);
        assert!(body.contains("since `soon`"), "{body}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_costs_one_load_and_one_range_read_per_scope() {
    let fleet = Fleet::start().await;
    let store = Arc::new(CountingStore::new(Arc::new(
        runner_monitor::sqlite::SqliteStore::open(fleet.db_path()).unwrap(),
    )));
    let page = StatusPage::new(
        Arc::clone(&store) as Arc<dyn Store>,
        vec![fleet.web.clone(), fleet.org.clone()],
        std::time::Duration::from_secs(30 * 86_400),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(runner_monitor::host::http::serve(
        listener,
        status::router(page),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    for path in ["/", "/api/v1/status", "/api/v1/uptime?since=90d"] {
        let before = store.counts();
        let (code, _, _) = get(&client, format!("http://{addr}{path}")).await;
        assert_eq!(code, 200, "{path}");
        let after = store.counts();
        assert_eq!(after.loads - before.loads, 2, "{path}: one load per scope");
        assert_eq!(
            after.other_reads - before.other_reads,
            2,
            "{path}: one range read per scope"
        );
        assert_eq!(after.writes(), 0, "{path}: the page never writes");
        assert_eq!(
            after.silence_calls - before.silence_calls,
            1,
            "{path}: one silences read (uptime leaves silenced time out)"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_guard_the_page_and_api_but_not_healthz() {
    let fleet = Fleet::start().await;
    let fleet = &fleet;
    let bearer = "[status_page]\nbearer_token = \"env:STATUS_TOKEN\"\nrefresh = \"30s\"\n";
    let daemon = Daemon::start(fleet.host(bearer, &[("STATUS_TOKEN", "t0ken-xyz")]).await)
        .await
        .unwrap();
    let addr = daemon.http_addr().unwrap();
    with_daemon(daemon, |_, _| async move {
        let client = reqwest::Client::new();
        for path in [
            "/",
            "/runner?scope=acme%2Fweb&name=linux-01",
            "/api/v1/status",
            "/api/v1/uptime",
        ] {
            let url = format!("http://{addr}{path}");
            let none = client.get(&url).send().await.unwrap();
            assert_eq!(none.status(), 401, "{path} without a token");
            assert!(
                none.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .starts_with("Bearer")
            );
            let wrong = client
                .get(&url)
                .bearer_auth("t0ken-xy")
                .send()
                .await
                .unwrap();
            assert_eq!(wrong.status(), 401, "{path} with a wrong token");
            let right = client
                .get(&url)
                .bearer_auth("t0ken-xyz")
                .send()
                .await
                .unwrap();
            assert!(
                right.status() == 200 || right.status() == 404,
                "{path} with the token: {}",
                right.status()
            );
        }
        let page = client
            .get(format!("http://{addr}/"))
            .bearer_auth("t0ken-xyz")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("content=\"30\""),
            "refresh from [status_page]"
        );
        let health = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        assert_ne!(health.status(), 401, "/healthz stays open");
    })
    .await;

    let basic = "[status_page]\nusername = \"ops\"\npassword = \"env:STATUS_PASSWORD\"\n";
    let daemon = Daemon::start(fleet.host(basic, &[("STATUS_PASSWORD", "pa55")]).await)
        .await
        .unwrap();
    let addr = daemon.http_addr().unwrap();
    with_daemon(daemon, |_, _| async move {
        let client = reqwest::Client::new();
        let url = format!("http://{addr}/");
        let none = client.get(&url).send().await.unwrap();
        assert_eq!(none.status(), 401);
        assert!(
            none.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        let wrong = client
            .get(&url)
            .basic_auth("ops", Some("pa5"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let forged = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("dev:pa55")
        );
        let other_user = client
            .get(&url)
            .header("authorization", forged)
            .send()
            .await
            .unwrap();
        assert_eq!(other_user.status(), 401);
        let right = client
            .get(&url)
            .basic_auth("ops", Some("pa55"))
            .send()
            .await
            .unwrap();
        assert_eq!(right.status(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_prints_uptime_outages_and_mttr_from_the_store() {
    let fleet = Fleet::start().await;
    // One daemon cycle lists every runner; the seeded history is the report's content.
    let host = fleet.host("", &[]).await;
    host.monitor.run_cycle(chrono::Utc::now()).await;
    let config_path = fleet.dir.path().join("monitor.toml");
    let run =
        |format: ReportFormat, since: &'static str| report(config_path.clone(), format, since);
    let (code, markdown, err) = run(ReportFormat::Markdown, "30d").await;
    assert_eq!(code, 0, "{err}");
    assert!(
        markdown.starts_with("# Runner uptime, last 30d"),
        "{markdown}"
    );
    assert!(markdown.contains("## acme/web"), "{markdown}");
    let line = |name: &str| {
        markdown
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no row for {name} in\n{markdown}"))
            .to_owned()
    };
    assert!(
        line("linux-03").contains("| 3h 30m | 1 | 3h 30m |"),
        "{}",
        line("linux-03")
    );
    assert!(
        line("linux-07").contains("| 5h | 1 | 5h |"),
        "{}",
        line("linux-07")
    );
    assert!(
        line("linux-01").contains("| 100% | 0s | 0 | – |"),
        "{}",
        line("linux-01")
    );
    assert!(markdown.contains(&format!("over {} runners, 4 outages", fleet.runners)));

    let (code, csv, _) = run(ReportFormat::Csv, "1d").await;
    assert_eq!(code, 0);
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].starts_with("kind,scope,name,labels,uptime_percent"));
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("runner,")).count(),
        fleet.runners
    );
    let linux03 = rows
        .iter()
        .find(|r| r.starts_with("runner,acme/web,linux-03,"))
        .unwrap();
    assert!(
        linux03.ends_with(",86400,0,0,0,"),
        "nothing in the last day: {linux03}"
    );
    assert!(rows.last().unwrap().starts_with("fleet,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_api_show_each_pool_against_its_floor() {
    let fleet = Fleet::start().await;
    let fleet = &fleet;
    let pools = r#"
[[policy.pools]]
name = "gpu"
labels = ["gpu"]
min_online = 2
for = "0s"
"#;
    let daemon = Daemon::start(fleet.host(pools, &[]).await).await.unwrap();
    let addr = daemon.http_addr().unwrap();
    with_daemon(daemon, |_, _| async move {
        let client = reqwest::Client::new();
        let status_url = format!("http://{addr}/api/v1/status");
        let status = wait_status(&client, &status_url, "the pool at its floor", |s| {
            s["pools"][0]["count"]["count"] == 2
        })
        .await;
        assert_eq!(status["pools"].as_array().map(Vec::len), Some(1));
        assert_eq!(status["pools"][0]["name"], "gpu");
        assert_eq!(status["pools"][0]["below"], false);
        assert!(status["pools"][0]["open_outage"].is_null());
        let (_, _, page) = get(&client, format!("http://{addr}/")).await;
        assert!(
            page.contains(r#"data-pool="gpu" data-state="up""#),
            "{page}"
        );
        assert!(page.contains("2 of 2 online (minimum 2)"), "{page}");

        // gpu-1 goes down: the pool is below its floor and its outage opens.
        fleet.github.set_online(&fleet.web, "gpu-1", false);
        let status = wait_status(&client, &status_url, "the pool's outage", |s| {
            s["pools"][0]["open_outage"]["id"].is_u64()
        })
        .await;
        assert_eq!(status["pools"][0]["below"], true);
        assert_eq!(status["pools"][0]["count"]["count"], 1);
        let (_, _, page) = get(&client, format!("http://{addr}/")).await;
        assert!(
            page.contains(r#"data-pool="gpu" data-state="down""#),
            "{page}"
        );
        assert!(
            page.contains("1 of 2 online (minimum 2) — below its floor for"),
            "{page}"
        );

        fleet.github.set_online(&fleet.web, "gpu-1", true);
        wait_status(&client, &status_url, "the pool restored", |s| {
            s["pools"][0]["open_outage"].is_null() && s["pools"][0]["below"] == false
        })
        .await;
    })
    .await;
}

/// `daemon --report --since <since> --format <format>` on `config`: exit code, stdout, stderr.
async fn report(
    config: std::path::PathBuf,
    format: ReportFormat,
    since: &str,
) -> (u8, String, String) {
    let args = Args {
        config: Some(config),
        report: true,
        since: Some(runner_monitor::host::status::api::parse_since(since).unwrap()),
        format,
        ..Args::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let io = Io {
        env: Vec::new(),
        secrets: runner_monitor::host::secrets::SecretResolver::from_map(
            std::collections::HashMap::new(),
        ),
        stdout: &mut out,
        stderr: &mut err,
    };
    let (_trigger, shutdown) = runner_monitor::host::daemon::channel();
    let code = run_with(&args, shutdown, io).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downtime_inside_a_maintenance_window_is_silenced_not_down() {
    let fleet = Fleet::start().await;
    // linux-07 was down from 08:00 to 13:00 six days ago; a silence covered 10:00 to 11:00, and
    // a weekly one every day of the week 12:00-12:30 UTC (from the store's point of view, a
    // configured one: both kinds count).
    let from = status_support::days_ago(6, 10, 0).to_rfc3339();
    let until = status_support::days_ago(6, 11, 0).to_rfc3339();
    let extra = format!(
        r#"
[[policy.silences]]
target = "linux-07"
from = "{from}"
until = "{until}"

[[policy.silences]]
target = "label:x64"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "12:00"
length = "30m"
time_zone = "UTC"
"#
    );
    let host = fleet.host(&extra, &[]).await;
    host.monitor.run_cycle(chrono::Utc::now()).await;
    let config_path = fleet.dir.path().join("monitor.toml");
    let (code, csv, err) = report(config_path, ReportFormat::Csv, "30d").await;
    assert_eq!(code, 0, "{err}");
    let row = |name: &str| {
        csv.lines()
            .find(|r| r.starts_with(&format!("runner,acme/web,{name},")))
            .unwrap_or_else(|| panic!("no row for {name} in\n{csv}"))
            .split(',')
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let linux07 = row("linux-07");
    // 5 h down, of which 1 h in the one-off window and 30 min in the daily one.
    assert_eq!(linux07[col("down_seconds")], "12600", "{linux07:?}");
    let silenced: u64 = linux07[col("silenced_seconds")].parse().unwrap();
    // The daily window covers every x64 runner 30 min a day over the known days, plus 1 h.
    assert!(silenced > 3600 + 25 * 1800, "{linux07:?}");
    // A runner that was never down still has its daily windows left out of the measure.
    let linux01 = row("linux-01");
    assert_eq!(linux01[col("down_seconds")], "0");
    assert!(linux01[col("silenced_seconds")].parse::<u64>().unwrap() >= 25 * 1800);
    assert_eq!(linux01[col("uptime_percent")], "100.0000");
    // The GPU runners carry no x64 label: nothing silenced.
    assert_eq!(row("gpu-1")[col("silenced_seconds")], "0");
}
