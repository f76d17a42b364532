//! The demo's loopback world: fake GitHub, fake Slack, a SQLite file, and the configuration that
//! ties them together, written in the same TOML a user writes.

use std::collections::HashMap;

use runner_monitor::core::Scope;
use runner_monitor::github::fake::{FakeGitHub, FakeRunner};
use runner_monitor::host::build::Host;
use runner_monitor::host::config::Loader;
use runner_monitor::host::secrets::SecretResolver;
use runner_monitor::slack::fake::SlackReceiver;
use secrecy::ExposeSecret;

/// The signing secret of the demo's Slack app (for the printed `curl` command).
pub const SIGNING_SECRET: &str = "demo-signing-secret";

pub struct World {
    pub github: FakeGitHub,
    pub slack: SlackReceiver,
    pub host: Host,
    pub api: Scope,
    pub org: Scope,
    /// The configuration file (in the temporary directory; `daemon --report` can read it).
    pub config_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn start() -> Result<World, Box<dyn std::error::Error>> {
        let github = FakeGitHub::start().await?;
        let slack = SlackReceiver::start().await?;
        let api: Scope = "acme/api".parse()?;
        let org = Scope::org("acme");
        github.add_runner(&api, FakeRunner::new("build-1").label("docker"));
        github.add_runner(&api, FakeRunner::new("build-2").label("docker").busy(true));
        github.add_runner(&api, FakeRunner::new("updater-1").label("docker"));
        github.add_runner(&api, FakeRunner::new("eph-7").ephemeral(true).busy(true));
        github.add_runner(&org, FakeRunner::new("gpu-1").label("gpu"));
        github.add_runner(&org, FakeRunner::new("gpu-2").label("gpu"));

        let dir = tempfile::tempdir()?;
        let config = format!(
            r#"
[daemon]
interval = "1s"
jitter = "0s"

[http]
listen = "127.0.0.1:0"

[github]
api_url = "{api_url}"
scopes = ["acme/api", "org:acme"]
token = "env:DEMO_GITHUB_TOKEN"

[store]
kind = "sqlite"
path = "{db}"

[policy]
open_after = "3s"
new_runner_grace = "3s"
source_alert_after = "20s"
# Hold notifications two seconds: what falls due together is one message.
group_wait = "2s"

[[sinks]]
kind = "slack"
webhook_url = "env:DEMO_SLACK_WEBHOOK"

[slash_commands]
signing_secret = "env:DEMO_SIGNING_SECRET"
"#,
            api_url = github.base_url(),
            db = dir.path().join("state.db").display(),
        );
        let file = dir.path().join("monitor.toml");
        std::fs::write(&file, config)?;
        let config = Loader::new().file(&file).load()?;
        // `daemon --report` reads this file and finds no GitHub token: the report needs none.
        let secrets = SecretResolver::from_map(HashMap::from([
            (
                "DEMO_GITHUB_TOKEN".to_owned(),
                github.token().expose_secret().to_owned(),
            ),
            ("DEMO_SLACK_WEBHOOK".to_owned(), slack.url()),
            ("DEMO_SIGNING_SECRET".to_owned(), SIGNING_SECRET.to_owned()),
        ]));
        let host = Host::build(config, &secrets).await?;
        Ok(World {
            github,
            slack,
            host,
            api,
            org,
            config_file: file,
            _dir: dir,
        })
    }
}
