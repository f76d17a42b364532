//! Checks across keys that deserialization cannot make. Each failure names its key.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;

use runner_monitor_webhook::Severity;

use super::{Config, SinkConfig, StoreConfig};

type Failure = (String, String);

fn fail<T>(key: impl Into<String>, message: impl Into<String>) -> Result<T, Failure> {
    Err((key.into(), message.into()))
}

/// Validates `config`; `Err((key, message))` for the first problem.
pub(crate) fn validate(config: &Config) -> Result<(), Failure> {
    if config.github.scopes.is_empty() {
        return fail(
            "github.scopes",
            "no scope to watch: list at least one, e.g. scopes = [\"acme/api\", \"org:acme\"]",
        );
    }
    let mut seen = BTreeSet::new();
    for scope in &config.github.scopes {
        if !seen.insert(scope) {
            return fail("github.scopes", format!("`{scope}` is listed twice"));
        }
        if scope.is_pool() {
            return fail(
                "github.scopes",
                format!("`{scope}` is a pool: configure it under [[policy.pools]], not as a scope"),
            );
        }
    }
    validate_pools(config, &seen)?;
    if config.github.token.is_some() && config.github.app.is_some() {
        return fail(
            "github.app",
            "configure either github.token or github.app, not both",
        );
    }
    if config.github.max_concurrent_requests == 0 {
        return fail("github.max_concurrent_requests", "must be at least 1");
    }
    if let Err(error) = config.policy.validate() {
        return fail(format!("policy.{}", error.field), error.problem);
    }
    if config.daemon.interval.is_zero() {
        return fail("daemon.interval", "must be positive");
    }
    if config.http.enabled && SocketAddr::from_str(config.http.listen.trim()).is_err() {
        return fail(
            "http.listen",
            format!(
                "`{}` is not an address to listen on, e.g. \"127.0.0.1:9184\" or \"0.0.0.0:9184\"",
                config.http.listen
            ),
        );
    }
    if let Some((key, message)) = config.status_page.problem() {
        return fail(key, message);
    }
    if config.monitor.concurrency == 0 {
        return fail("monitor.concurrency", "must be at least 1");
    }
    if config.monitor.delivery_retry_base.is_zero() {
        return fail("monitor.delivery_retry_base", "must be positive");
    }
    if config.monitor.delivery_retry_max < config.monitor.delivery_retry_base {
        return fail(
            "monitor.delivery_retry_max",
            "must be at least delivery_retry_base",
        );
    }
    if config.monitor.delivery_batch == 0 {
        return fail("monitor.delivery_batch", "must be at least 1");
    }
    if config.monitor.dispatch_budget.is_zero() {
        return fail("monitor.dispatch_budget", "must be positive");
    }
    if config.monitor.delivery_lease <= config.monitor.dispatch_budget {
        return fail(
            "monitor.delivery_lease",
            "must be longer than dispatch_budget plus the slowest send (default 5m)",
        );
    }
    if let StoreConfig::Stately(stately) = &config.store
        && stately.store_id.is_none()
    {
        return fail("store.store_id", "missing: the StatelyDB store id");
    }
    if let StoreConfig::Stately(stately) = &config.store
        && !stately.org_groups.is_empty()
        && stately.layout != Some(super::StatelyLayout::Original)
    {
        return fail(
            "store.org_groups",
            "only with layout = \"original\" (the v3 layout gives every organization its own group)",
        );
    }
    validate_sinks(&config.sinks)
}

/// Each pool on its own (naming it by index and name), then the watched scopes it names.
fn validate_pools(
    config: &Config,
    watched: &BTreeSet<&runner_monitor_core::Scope>,
) -> Result<(), Failure> {
    let mut names = BTreeSet::new();
    for (index, pool) in config.policy.pools.iter().enumerate() {
        let key = |field: &str| format!("policy.pools[{index}].{field}");
        if let Err(error) = pool.validate() {
            return fail(
                key(error.field),
                format!("(pool `{}`) {}", pool.name, error.problem),
            );
        }
        if !names.insert(pool.name.as_str()) {
            return fail(
                key("name"),
                format!(
                    "a second pool named `{}`: each pool needs its own name",
                    pool.name
                ),
            );
        }
        if let Some(scope) = pool.scopes.iter().find(|s| !watched.contains(s)) {
            return fail(
                key("scopes"),
                format!(
                    "(pool `{}`) `{scope}` is not in github.scopes: its runners would never be counted",
                    pool.name
                ),
            );
        }
    }
    Ok(())
}

fn validate_sinks(sinks: &[SinkConfig]) -> Result<(), Failure> {
    let mut names = BTreeSet::new();
    for (index, sink) in sinks.iter().enumerate() {
        let name = sink.name();
        if name.trim().is_empty() {
            return fail(format!("sinks[{index}].name"), "must not be empty");
        }
        if !names.insert(name) {
            return fail(
                format!("sinks[{index}].name"),
                format!(
                    "a second sink named `{name}`: give each sink its own `name` (it is stored \
                     with every delivery)"
                ),
            );
        }
        if let Err(error) = sink.route().validate() {
            let part = match error {
                runner_monitor_core::RouteError::UnknownKind { .. } => "kinds",
                runner_monitor_core::RouteError::BadScope { .. } => "scopes",
                runner_monitor_core::RouteError::EmptyLabel => "labels",
            };
            return fail(format!("sinks[{index}].route.{part}"), error.to_string());
        }
        if let SinkConfig::PagerDuty(pagerduty) = sink {
            for (field, value) in [
                ("outage_severity", &pagerduty.outage_severity),
                ("degraded_severity", &pagerduty.degraded_severity),
            ] {
                if let Some(value) = value
                    && let Err(error) = Severity::from_str(value)
                {
                    return fail(format!("sinks[{index}].{field}"), error.to_string());
                }
            }
        }
    }
    Ok(())
}
