//! A loopback world for end-to-end tests: a fake GitHub with a small fleet in two scopes, a fake
//! Slack webhook, a temporary SQLite file, and the configuration that ties them together.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use runner_monitor::core::Scope;
use runner_monitor::github::fake::{FakeGitHub, FakeRunner};
use runner_monitor::host::build::Host;
use runner_monitor::host::config::{Config, Loader};
use runner_monitor::host::health::Health;
use runner_monitor::host::secrets::SecretResolver;
use runner_monitor::slack::fake::SlackReceiver;
use secrecy::ExposeSecret;

pub const SIGNING_SECRET: &str = "e2e-signing-secret";

pub struct World {
    pub github: FakeGitHub,
    pub slack: SlackReceiver,
    pub dir: tempfile::TempDir,
    pub api: Scope,
    pub org: Scope,
}

impl World {
    /// `acme/api`: build-1, build-2; `org:acme`: gpu-1. All online.
    pub async fn start() -> World {
        World::start_as("acme").await
    }

    /// The same world with `owner` instead of `acme` (metrics are per process: tests that read
    /// them use their own scope names).
    pub async fn start_as(owner: &str) -> World {
        let github = FakeGitHub::start().await.unwrap();
        let slack = SlackReceiver::start().await.unwrap();
        let api: Scope = format!("{owner}/api").parse().unwrap();
        let org = Scope::org(owner);
        github.add_runner(&api, FakeRunner::new("build-1"));
        github.add_runner(&api, FakeRunner::new("build-2"));
        github.add_runner(&org, FakeRunner::new("gpu-1").label("gpu"));
        World {
            github,
            slack,
            dir: tempfile::tempdir().unwrap(),
            api,
            org,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    /// The configuration file text: fast cycles, outages open at the first unhealthy observation.
    pub fn config_text(&self, listen: &str) -> String {
        format!(
            r#"
[daemon]
interval = "150ms"
jitter = "0s"

[http]
listen = "{listen}"

[github]
api_url = "{api_url}"
scopes = ["{api}", "{org}"]

[store]
kind = "sqlite"
path = "{db}"

[policy]
open_after = "0s"
new_runner_grace = "0s"
# These tests pin per-notification dispatch (one Slack post per runner change, sent by the cycle
# that planned it, also in `--once` and at shutdown); grouping has its own tests.
group_wait = "0s"

[monitor]
delivery_retry_base = "100ms"
delivery_retry_max = "200ms"

[[sinks]]
kind = "slack"
webhook_url = "env:E2E_SLACK_WEBHOOK"

[slash_commands]
signing_secret = "env:E2E_SIGNING_SECRET"
"#,
            api_url = self.github.base_url(),
            api = self.api,
            org = self.org,
            db = self.db_path().display(),
        )
    }

    pub fn write_config(&self, listen: &str) -> PathBuf {
        let path = self.dir.path().join("monitor.toml");
        std::fs::write(&path, self.config_text(listen)).unwrap();
        path
    }

    /// The secrets' environment: `GITHUB_TOKEN`, `E2E_SLACK_WEBHOOK`, `E2E_SIGNING_SECRET`.
    pub fn secret_env(&self) -> HashMap<String, String> {
        HashMap::from([
            (
                "GITHUB_TOKEN".to_owned(),
                self.github.token().expose_secret().to_owned(),
            ),
            ("E2E_SLACK_WEBHOOK".to_owned(), self.slack.url()),
            ("E2E_SIGNING_SECRET".to_owned(), SIGNING_SECRET.to_owned()),
        ])
    }

    pub fn secrets(&self) -> SecretResolver {
        SecretResolver::from_map(self.secret_env())
    }

    pub fn config(&self, listen: &str) -> Config {
        Loader::new()
            .file(self.write_config(listen))
            .load()
            .unwrap()
    }

    pub async fn host(&self, listen: &str) -> Host {
        Host::build(self.config(listen), &self.secrets())
            .await
            .unwrap()
    }

    /// The Slack messages received so far, as plain text.
    pub fn messages(&self) -> Vec<String> {
        self.slack
            .messages()
            .iter()
            .map(runner_monitor::slack::fake::render_plain)
            .collect()
    }

    /// Waits for `count` Slack posts (at most 20 s) and returns the messages.
    pub async fn wait_messages(&self, count: usize) -> Vec<String> {
        assert!(
            self.slack.wait_for(count, Duration::from_secs(20)).await,
            "expected {count} Slack posts, got {:?}",
            self.messages()
        );
        self.messages()
    }
}

/// Waits until `health` has counted at least `cycles` completed cycles (at most 20 s).
pub async fn wait_cycles(health: &Health, cycles: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let done = health.status().body["cycles"].as_u64().unwrap_or(0);
        if done >= cycles {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of {cycles} cycles completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `daemon` while `steps` run; shutdown is requested when `steps` complete (or earlier by
/// the trigger `steps` get). Returns what `steps` returned, after the daemon has stopped.
pub async fn with_daemon<F, T>(
    daemon: runner_monitor::host::daemon::Daemon,
    steps: impl FnOnce(Health, runner_monitor::host::daemon::ShutdownTrigger) -> F,
) -> T
where
    F: std::future::Future<Output = T>,
{
    let health = daemon.health().clone();
    let (trigger, shutdown) = runner_monitor::host::daemon::channel();
    let steps = steps(health, trigger.clone());
    let run = async {
        tokio::time::timeout(Duration::from_secs(30), daemon.run(shutdown))
            .await
            .expect("the daemon stops after shutdown")
    };
    let (result, value) = tokio::join!(run, async {
        let value = steps.await;
        trigger.trigger();
        value
    });
    result.unwrap();
    value
}

/// `target/<profile>/examples/<name>`, built by `cargo test` along with the test binaries; built
/// here with the same cargo if missing (e.g. `cargo test --test e2e_process`). With
/// `--test <name>` alone, an existing binary is used as it is: run `cargo build --examples
/// --features host` first after changing the example's code.
pub fn example_binary(name: &'static str) -> PathBuf {
    static BINARIES: std::sync::Mutex<Vec<(&'static str, PathBuf)>> =
        std::sync::Mutex::new(Vec::new());
    let mut built = BINARIES.lock().unwrap();
    if let Some((_, path)) = built.iter().find(|(n, _)| *n == name) {
        return path.clone();
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let binary = profile_dir.join("examples").join(name);
    if !binary.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "--example", name, "--features", "host"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the {name} example failed");
    }
    assert!(binary.exists(), "{} missing", binary.display());
    built.push((name, binary.clone()));
    binary
}

/// The daemon example (`examples/daemon.rs`): [`example_binary`].
pub fn daemon_binary() -> PathBuf {
    example_binary("daemon")
}
