//! The host configuration: a TOML file, environment overrides on top, secrets by reference.
//!
//! ```toml
//! [github]
//! scopes = ["acme/api", "org:acme"]
//! token = "env:GITHUB_TOKEN"            # or file:PATH, ssm:NAME; or a [github.app]
//!
//! [store]
//! kind = "sqlite"                       # sqlite (default) | memory | stately
//!
//! [[sinks]]
//! kind = "slack"
//! webhook_url = "env:SLACK_WEBHOOK_URL"
//!
//! [policy]
//! open_after = "2m"
//! ```
//!
//! Every key can be set or overridden by an environment variable `RUNNER_MONITOR_<KEY PATH>`,
//! path segments joined by `__`: `RUNNER_MONITOR_GITHUB__SCOPES="acme/api,org:acme"`,
//! `RUNNER_MONITOR_POLICY__OPEN_AFTER=5m`, `RUNNER_MONITOR_SINKS__0__WEBHOOK_URL=env:HOOK`. See
//! the README ("Hosts") for every key.

mod daemon;
mod env;
mod error;
mod github;
mod load;
mod render;
mod secret_ref;
mod serde_helpers;
mod sinks;
mod status_page;
mod store;
mod validate;

use runner_monitor_core::Policy;
use serde::{Deserialize, Serialize};

pub use daemon::{DaemonConfig, HttpConfig, MonitorConfig, SlashCommandsConfig};
pub use env::{ENV_PREFIX, SECTIONS};
pub use error::ConfigError;
pub use github::{DEFAULT_TOKEN_ENV, GitHubAppConfig, GitHubConfig};
pub use load::{Loader, load};
pub use render::render_effective;
pub use secret_ref::{SecretRef, SecretRefError};
pub use sinks::{
    PagerDutySinkConfig, SINK_KINDS, SinkConfig, SlackBotSinkConfig, SlackSinkConfig,
    WebhookSinkConfig,
};
pub use status_page::StatusPageConfig;
pub use store::{StatelyLayout, StatelyStoreConfig, StoreConfig};

/// The whole configuration of a host. Every section has defaults; only `github.scopes` is
/// required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[daemon]`: interval, jitter, health staleness.
    pub daemon: DaemonConfig,
    /// `[http]`: the endpoints.
    pub http: HttpConfig,
    /// `[github]`: scopes and credentials.
    pub github: GitHubConfig,
    /// `[store]`.
    pub store: StoreConfig,
    /// `[policy]`: the engine's timing rules (see the policy reference).
    pub policy: Policy,
    /// `[monitor]`: cycle tunables.
    pub monitor: MonitorConfig,
    /// `[[sinks]]`: notification destinations.
    pub sinks: Vec<SinkConfig>,
    /// `[slash_commands]`: Slack slash commands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slash_commands: Option<SlashCommandsConfig>,
    /// `[status_page]`: the status page and JSON API.
    pub status_page: StatusPageConfig,
}

impl Config {
    /// Every secret reference in the configuration with its key, e.g.
    /// `("github.token", env:GITHUB_TOKEN)`, in a stable order.
    pub fn secret_refs(&self) -> Vec<(String, SecretRef)> {
        let mut refs = Vec::new();
        match &self.github.app {
            Some(app) => refs.push(("github.app.private_key".to_owned(), app.private_key.clone())),
            None => refs.push(("github.token".to_owned(), self.github.token_ref())),
        }
        if let StoreConfig::Stately(stately) = &self.store
            && let Some(key) = &stately.access_key
        {
            refs.push(("store.access_key".to_owned(), key.clone()));
        }
        for (index, sink) in self.sinks.iter().enumerate() {
            let key = |field: &str| format!("sinks[{index}].{field}");
            match sink {
                SinkConfig::Slack(sink) => {
                    refs.push((key("webhook_url"), sink.webhook_url.clone()));
                }
                SinkConfig::Webhook(sink) => {
                    refs.push((key("url"), sink.url.clone()));
                    if let Some(secret) = &sink.signing_secret {
                        refs.push((key("signing_secret"), secret.clone()));
                    }
                    for (name, value) in &sink.headers {
                        refs.push((key(&format!("headers.{name}")), value.clone()));
                    }
                }
                SinkConfig::PagerDuty(sink) => {
                    refs.push((key("routing_key"), sink.routing_key.clone()));
                }
                SinkConfig::SlackBot(sink) => {
                    refs.push((key("bot_token"), sink.bot_token.clone()));
                    refs.push((key("channel"), sink.channel.clone()));
                }
            }
        }
        if let Some(slash) = &self.slash_commands {
            refs.push((
                "slash_commands.signing_secret".to_owned(),
                slash.signing_secret.clone(),
            ));
        }
        if let Some(token) = &self.status_page.bearer_token {
            refs.push(("status_page.bearer_token".to_owned(), token.clone()));
        }
        if let Some(password) = &self.status_page.password {
            refs.push(("status_page.password".to_owned(), password.clone()));
        }
        refs
    }
}
