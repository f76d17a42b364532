//! [`Host`]: a [`Monitor`] with its source, store, sinks and slash-command handler, built from a
//! [`Config`] once per process (or Lambda container).

mod error;
mod sinks;
mod source;
mod stately;
mod store;

use std::sync::Arc;

use runner_monitor_core::monitor::DeliveryBackoff;
use runner_monitor_core::{Monitor, Store};
use runner_monitor_github::GitHubSource;
use runner_monitor_slack::SlashCommands;

pub use error::BuildError;

use super::config::Config;
use super::secrets::SecretResolver;
use super::status::StatusAuth;

/// Everything a host runs, built from configuration.
#[derive(Debug, Clone)]
pub struct Host {
    /// The configuration it was built from.
    pub config: Arc<Config>,
    /// The monitor (source, store, sinks, scopes, policy).
    pub monitor: Arc<Monitor>,
    /// The store, shared with the slash-command handler.
    pub store: Arc<dyn Store>,
    /// The GitHub source (for its rate-limit status).
    pub github: GitHubSource,
    /// The slash-command handler, when `[slash_commands]` is configured.
    pub slash: Option<Arc<SlashCommands>>,
    /// The status page's credentials, when `[status_page]` asks for them.
    pub status_auth: Option<Arc<StatusAuth>>,
}

impl Host {
    /// Builds everything `config` describes, reading secrets through `secrets`. Sends no request
    /// (the store may be opened or connected).
    ///
    /// # Errors
    /// A [`BuildError`] naming the key: a secret that cannot be read, a component that refuses
    /// its settings, a store that cannot be opened.
    pub async fn build(config: Config, secrets: &SecretResolver) -> Result<Host, BuildError> {
        let github = source::github(&config.github, secrets).await?;
        let notifiers = sinks::notifiers(&config.sinks, secrets).await?;
        let store = build_store(&config, secrets).await?;
        let slash = match &config.slash_commands {
            Some(_) => Some(build_slash_commands(&config, Arc::clone(&store), secrets).await?),
            None => None,
        };
        let mut builder = Monitor::builder(Arc::new(github.clone()), Arc::clone(&store))
            .scopes(config.github.scopes.iter().cloned())
            .policy(config.policy.clone())
            .concurrency(config.monitor.concurrency)
            .max_conflict_retries(config.monitor.max_conflict_retries)
            .delivery_batch(config.monitor.delivery_batch)
            .dispatch_budget(config.monitor.dispatch_budget)
            .delivery_lease(config.monitor.delivery_lease)
            .delivery_backoff(DeliveryBackoff {
                base: config.monitor.delivery_retry_base,
                max: config.monitor.delivery_retry_max,
            });
        for ((name, notifier), sink) in notifiers.into_iter().zip(&config.sinks) {
            builder = builder.routed_sink(name, notifier, sink.route().clone());
        }
        let status_auth = StatusAuth::from_config(&config.status_page, secrets)
            .await?
            .map(Arc::new);
        let monitor = builder
            .build()
            .map_err(|error| BuildError::component("monitor", error))?;
        Ok(Host {
            config: Arc::new(config),
            monitor: Arc::new(monitor),
            store,
            github,
            slash,
            status_auth,
        })
    }
}

/// The notifiers `[[sinks]]` describes, each with its sink name (for a host that wires its own
/// monitor, and for tests). Sends no request.
///
/// # Errors
/// A [`BuildError`] naming the key: a secret that cannot be read, a sink refusing its settings.
pub async fn build_sinks(
    config: &Config,
    secrets: &SecretResolver,
) -> Result<Vec<(String, Arc<dyn runner_monitor_core::Notifier>)>, BuildError> {
    sinks::notifiers(&config.sinks, secrets).await
}

/// Opens the store `[store]` describes (a host that only answers slash commands needs no more).
///
/// # Errors
/// A [`BuildError`] naming the key.
pub async fn build_store(
    config: &Config,
    secrets: &SecretResolver,
) -> Result<Arc<dyn Store>, BuildError> {
    store::store(
        &config.store,
        &config.github.scopes,
        config.policy.history_ttl,
        secrets,
    )
    .await
}

/// The slash-command handler `[slash_commands]` describes, answering from `store` about
/// `github.scopes`; with a `slack_bot` sink, it replies in alert threads through that sink's
/// bot token.
///
/// # Errors
/// [`BuildError`]: `[slash_commands]` missing, or its signing secret unreadable or empty.
pub async fn build_slash_commands(
    config: &Config,
    store: Arc<dyn Store>,
    secrets: &SecretResolver,
) -> Result<Arc<SlashCommands>, BuildError> {
    let Some(slash) = &config.slash_commands else {
        return Err(BuildError::component(
            "slash_commands",
            "missing: set slash_commands.signing_secret",
        ));
    };
    let secret = secrets
        .resolve("slash_commands.signing_secret", &slash.signing_secret)
        .await?;
    let mut handler = SlashCommands::new(store, config.github.scopes.clone(), secret)
        .map_err(|error| BuildError::component("slash_commands.signing_secret", error))?
        .configured_silences(config.policy.silences.clone())
        .pools(config.policy.pools.clone());
    // Bot mode: acknowledgements are told in the alert's thread.
    if let Some((sink, api)) = sinks::first_slack_bot(&config.sinks, secrets).await? {
        handler = handler.thread_replies(sink, Arc::new(api));
    }
    Ok(Arc::new(handler))
}
