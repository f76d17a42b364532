//! A fleet for the status page tests: a fake GitHub with dozens of runners in two scopes, a
//! SQLite store seeded with past outages (one across midnight), and the daemon's configuration.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{Days, NaiveTime, Utc};
use runner_monitor::core::testing::runner_record;
use runner_monitor::core::{Change, Outage, Resolution, RunnerStatus, Scope, Store, Timestamp};
use runner_monitor::github::fake::{FakeGitHub, FakeRunner};
use runner_monitor::host::build::Host;
use runner_monitor::host::config::{Config, Loader};
use runner_monitor::host::secrets::SecretResolver;
use runner_monitor::sqlite::SqliteStore;
use secrecy::ExposeSecret;

/// A label no page may render as markup.
pub const HOSTILE_LABEL: &str = "<img src=x onerror=alert(1)>";

pub struct Fleet {
    pub github: FakeGitHub,
    pub dir: tempfile::TempDir,
    pub web: Scope,
    pub org: Scope,
    /// Runners listed, over both scopes.
    pub runners: usize,
    /// The seeded outage across midnight: linux-03, from 22:00 three days ago to 01:30 two days
    /// ago.
    pub midnight: (Timestamp, Timestamp),
    /// GitHub ids of `acme/web`'s runners.
    ids: HashMap<String, u64>,
}

/// `days` ago at `hour:minute` UTC.
pub fn days_ago(days: u64, hour: u32, minute: u32) -> Timestamp {
    let date = Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(days))
        .unwrap();
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap())
        .and_utc()
}

fn resolved(runner: &str, id: u64, from: Timestamp, to: Timestamp) -> (Outage, Change) {
    let outage = Outage {
        runner: runner.to_owned(),
        id,
        runner_id: 1,
        trigger: RunnerStatus::Offline,
        started_at: from,
        resolved_at: None,
        resolution: None,
        description: format!("Runner {runner} entered Offline state"),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    };
    let resolve = Change::ResolveOutage {
        runner: runner.to_owned(),
        id,
        resolved_at: to,
        resolution: Resolution::Recovered(RunnerStatus::Idle),
    };
    (outage, resolve)
}

impl Fleet {
    /// 36 linux runners, 2 GPU runners and a mac with a hostile label in `acme/web`; 12 in
    /// `org:acme`; history as [`seed`](Self::seed) writes it.
    pub async fn start() -> Fleet {
        let github = FakeGitHub::start().await.unwrap();
        let web: Scope = "acme/web".parse().unwrap();
        let org = Scope::org("acme");
        let mut ids = HashMap::new();
        for i in 1..=36 {
            let name = format!("linux-{i:02}");
            let id = github.add_runner(
                &web,
                FakeRunner::new(&name)
                    .labels(["self-hosted", "linux", "x64"])
                    .busy(i % 3 == 0),
            );
            ids.insert(name, id);
        }
        github.add_runner(
            &web,
            FakeRunner::new("gpu-1").labels(["self-hosted", "gpu"]),
        );
        github.add_runner(
            &web,
            FakeRunner::new("gpu-2").labels(["self-hosted", "gpu"]),
        );
        github.add_runner(
            &web,
            FakeRunner::new("mac-1")
                .os("macos")
                .labels(["self-hosted", "macos", HOSTILE_LABEL]),
        );
        github.add_runners(&org, "org-runner", 12);
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            github,
            dir,
            web,
            org,
            runners: 39 + 12,
            midnight: (days_ago(3, 22, 0), days_ago(2, 1, 30)),
            ids,
        };
        fleet.seed().await;
        fleet
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    /// Past outages, written before the daemon starts (as an earlier run would have): the linux
    /// runners were first seen 28 days ago; linux-03 was down across midnight (3 h 30 m),
    /// linux-07 for 5 h, linux-15 for 10 min, linux-21 for 40 min.
    async fn seed(&self) {
        let store = SqliteStore::open(self.db_path()).unwrap();
        let seen = days_ago(28, 9, 0);
        let mut changes = Vec::new();
        let mut names: Vec<&String> = self.ids.keys().collect();
        names.sort();
        for name in names {
            let mut record = runner_record(name, self.ids[name], RunnerStatus::Idle, seen);
            record.labels = vec!["self-hosted".into(), "linux".into(), "x64".into()];
            changes.push(Change::PutRunner(record));
        }
        let outages = [
            resolved("linux-03", 1, self.midnight.0, self.midnight.1),
            resolved("linux-07", 1, days_ago(6, 8, 0), days_ago(6, 13, 0)),
            resolved("linux-15", 1, days_ago(12, 14, 0), days_ago(12, 14, 10)),
            resolved("linux-21", 1, days_ago(9, 3, 0), days_ago(9, 3, 40)),
        ];
        let mut resolves = Vec::new();
        for (outage, resolve) in outages {
            changes.push(Change::OpenOutage(outage));
            resolves.push(resolve);
        }
        let v = store.commit(&self.web, 0, &changes).await.unwrap().version;
        store.commit(&self.web, v, &resolves).await.unwrap();
    }

    /// The daemon's configuration; `extra` is appended (e.g. a `[status_page]` section).
    pub fn config(&self, extra: &str) -> Config {
        let text = format!(
            r#"
[daemon]
interval = "200ms"
jitter = "0s"

[http]
listen = "127.0.0.1:0"

[github]
api_url = "{api_url}"
scopes = ["{web}", "{org}"]

[store]
kind = "sqlite"
path = "{db}"

[policy]
open_after = "0s"
new_runner_grace = "0s"
group_wait = "300ms"
{extra}
"#,
            api_url = self.github.base_url(),
            web = self.web,
            org = self.org,
            db = self.db_path().display(),
        );
        let path = self.dir.path().join("monitor.toml");
        std::fs::write(&path, text).unwrap();
        Loader::new().file(path).load().unwrap()
    }

    pub fn secrets(&self, extra: &[(&str, &str)]) -> SecretResolver {
        let mut env = HashMap::from([(
            "GITHUB_TOKEN".to_owned(),
            self.github.token().expose_secret().to_owned(),
        )]);
        for (k, v) in extra {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        SecretResolver::from_map(env)
    }

    pub async fn host(&self, extra: &str, secrets: &[(&str, &str)]) -> Host {
        Host::build(self.config(extra), &self.secrets(secrets))
            .await
            .unwrap()
    }
}

/// Polls `/api/v1/status` until `check` accepts it (at most 30 s).
pub async fn wait_status(
    client: &reqwest::Client,
    url: &str,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(answer) = client.get(url).send().await
            && answer.status().is_success()
            && let Ok(body) = answer.json::<serde_json::Value>().await
            && check(&body)
        {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The runner `name` of `scope` in a `/api/v1/status` body.
pub fn runner<'a>(status: &'a serde_json::Value, scope: &str, name: &str) -> &'a serde_json::Value {
    status["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == scope)
        .unwrap_or_else(|| panic!("no scope {scope}"))["runners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no runner {name} in {scope}"))
}
