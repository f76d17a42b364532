//! The status page in a real browser: headless Chromium loads `/` from a running daemon watching
//! dozens of fake runners with an open outage and seeded history, and we check what a person
//! sees. Screenshots are kept under the target directory (the paths are printed).
//!
//! Needs Debian's `chromium` (`.ci/run` installs it; `CHROMIUM` names another binary). Without
//! it the test says so and passes, unless `RUNNER_MONITOR_REQUIRE_BROWSER=1` (set by `.ci/run`).
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

mod e2e_support;
mod status_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e_support::with_daemon;
use runner_monitor::host::daemon::Daemon;
use status_support::{Fleet, HOSTILE_LABEL, wait_status};

/// The browser binary, or `None` (after saying why) when the test cannot run here.
fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["chromium", "chromium-browser", "google-chrome"].map(PathBuf::from));
    for candidate in candidates {
        let found = std::process::Command::new(&candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if found {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var_os("RUNNER_MONITOR_REQUIRE_BROWSER").is_none(),
        "RUNNER_MONITOR_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
    );
    eprintln!("status_browser: SKIPPED, no chromium on PATH (apt-get install chromium)");
    None
}

/// Runs headless Chromium with `args` and `url`; its stdout.
async fn browse(browser: &Path, profile: &Path, args: &[String], url: &str) -> String {
    let mut command = tokio::process::Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("chromium finishes within 120 s")
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Width and height of a PNG (from its IHDR chunk).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The element of `dom` starting at the first `<div class="runner..." data-runner="name"`, up to
/// the next runner row.
fn row<'a>(dom: &'a str, name: &str) -> &'a str {
    let marker = format!("data-runner=\"{name}\" data-status");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for {name}"));
    let rest = &dom[start..];
    let end = rest[1..]
        .find("<div class=\"runner")
        .map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sees_the_fleet_the_open_outage_and_the_uptime_bars() {
    let Some(browser) = chromium() else {
        return;
    };
    let fleet = Fleet::start().await;
    let fleet = &fleet;
    let daemon = Daemon::start(fleet.host("", &[]).await).await.unwrap();
    let addr = daemon.http_addr().unwrap();
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page");
    std::fs::create_dir_all(&artifacts).unwrap();
    let profile = tempfile::tempdir().unwrap();
    with_daemon(daemon, |_, _| async move {
        let client = reqwest::Client::new();
        fleet.github.set_online(&fleet.web, "linux-12", false);
        wait_status(
            &client,
            &format!("http://{addr}/api/v1/status"),
            "every runner and linux-12's outage",
            |s| {
                s["open_outages"].as_array().is_some_and(|o| o.len() == 1)
                    && s["scopes"].as_array().is_some_and(|scopes| {
                        scopes
                            .iter()
                            .map(|s| s["runners"].as_array().map_or(0, Vec::len))
                            .sum::<usize>()
                            == fleet.runners
                    })
            },
        )
        .await;
        let url = format!("http://{addr}/");

        let dom = browse(&browser, profile.path(), &["--dump-dom".into()], &url).await;
        assert!(dom.contains("<h1>Runner status</h1>"), "{dom}");
        assert_eq!(
            dom.matches("<div class=\"runner").count(),
            fleet.runners,
            "one row per runner"
        );
        // The open outage: listed at the top, and its row highlighted.
        let attention = dom.find("id=\"attention\"").unwrap();
        let scopes = dom.find("class=\"scope\"").unwrap();
        assert!(attention < scopes);
        assert!(dom[attention..scopes].contains("linux-12"));
        assert!(dom[attention..scopes].contains("Open outages (1)"));
        assert!(dom.contains("<div class=\"runner down\" data-runner=\"linux-12\""));
        assert!(
            row(&dom, "linux-12").contains("<rect class=\"open\""),
            "today is red"
        );
        assert_eq!(
            dom.matches("class=\"runner down\"").count(),
            1,
            "only linux-12 is down"
        );
        // The uptime bar: 30 days per runner; linux-03's outage across midnight colours 2 days.
        let bar = row(&dom, "linux-03");
        assert_eq!(bar.matches("<rect ").count(), 30);
        let (start, end) = fleet.midnight;
        for date in [start.date_naive(), end.date_naive()] {
            let cell = format!("data-date=\"{date}\"");
            let at = bar.find(&cell).unwrap();
            let rect = &bar[bar[..at].rfind("<rect").unwrap()..at];
            assert!(
                rect.contains("class=\"major\"") || rect.contains("class=\"severe\""),
                "{date}: {rect}"
            );
        }
        assert_eq!(
            bar.matches("class=\"up\"").count() + bar.matches("class=\"nodata\"").count(),
            28
        );
        assert!(bar.contains("#1 Offline 22:00–"), "tooltip of the outage");
        assert!(
            row(&dom, "linux-07").contains("class=\"severe\""),
            "5 h down is severe"
        );
        // GitHub's text is text: no element was made from the hostile label.
        assert!(!dom.contains(HOSTILE_LABEL));
        assert!(!dom.contains("<img"));
        assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));

        for (name, size) in [
            ("desktop", "1280,2600"),
            ("phone", "390,1600"),
            ("top", "1100,820"),
        ] {
            let path = artifacts.join(format!("status-page-{name}.png"));
            let _ = std::fs::remove_file(&path);
            browse(
                &browser,
                profile.path(),
                &[
                    format!("--screenshot={}", path.display()),
                    format!("--window-size={size}"),
                ],
                &url,
            )
            .await;
            let png = std::fs::read(&path).unwrap();
            let (width, _) = png_size(&png);
            assert_eq!(width.to_string(), size.split(',').next().unwrap());
            assert!(png.len() > 20_000, "{name}: a blank page is smaller");
            println!("screenshot: {}", path.display());
        }
    })
    .await;
}
