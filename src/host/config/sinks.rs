//! `[[sinks]]`: where notifications go. Any number, each with a unique, stable name.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use runner_monitor_core::Route;

use super::SecretRef;

/// One `[[sinks]]` entry, chosen by `kind`. Each variant's fields are their own type, so the
/// loader can check them with the full key path (`sinks[0].webhook_url`), which serde's
/// internally tagged enums lose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SinkConfig {
    /// `kind = "slack"`: a Slack incoming webhook (Block Kit messages).
    Slack(SlackSinkConfig),
    /// `kind = "webhook"`: a versioned JSON document POSTed to any URL.
    Webhook(WebhookSinkConfig),
    /// `kind = "pagerduty"`: PagerDuty Events API v2 (trigger on outage, resolve on recovery).
    #[serde(rename = "pagerduty")]
    PagerDuty(PagerDutySinkConfig),
    /// `kind = "slack_bot"`: a Slack app's bot token posting to one channel through the Web API
    /// (`chat.postMessage`), coloured by kind.
    #[serde(rename = "slack_bot")]
    SlackBot(SlackBotSinkConfig),
}

/// The sink kinds, as written in `kind`.
pub const SINK_KINDS: [&str; 4] = ["slack", "webhook", "pagerduty", "slack_bot"];

/// `[[sinks]]` with `kind = "slack"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSinkConfig {
    /// Sink name, stored with each delivery: keep it stable. Default `slack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The incoming webhook URL (a credential).
    pub webhook_url: SecretRef,
    /// Timeout of one post. Default 10 s.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// `[sinks.route]`: which notifications this sink receives (kinds, scopes, labels); default
    /// everything.
    #[serde(default, skip_serializing_if = "Route::is_everything")]
    pub route: Route,
}

/// `[[sinks]]` with `kind = "slack_bot"`: Slack's Web API with a bot token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackBotSinkConfig {
    /// Sink name, stored with each delivery: keep it stable. Default `slack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The app's bot token, `xoxb-...` (a credential; needs the `chat:write` scope).
    pub bot_token: SecretRef,
    /// The id of the channel to post to (`C0123ABCD`; the bot must be a member).
    pub channel: SecretRef,
    /// Web API root. Default `https://slack.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Timeout of one call. Default 10 s.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// `[sinks.route]`: which notifications this sink receives (kinds, scopes, labels); default
    /// everything.
    #[serde(default, skip_serializing_if = "Route::is_everything")]
    pub route: Route,
}

/// `[[sinks]]` with `kind = "webhook"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSinkConfig {
    /// Sink name. Default `webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The URL (treated as a credential).
    pub url: SecretRef,
    /// HMAC-SHA256 signing secret; absent: unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<SecretRef>,
    /// Extra headers, each value a secret reference (e.g. an API key).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, SecretRef>,
    /// Timeout of one post. Default 10 s.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// `[sinks.route]`: which notifications this sink receives (kinds, scopes, labels); default
    /// everything.
    #[serde(default, skip_serializing_if = "Route::is_everything")]
    pub route: Route,
}

/// `[[sinks]]` with `kind = "pagerduty"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySinkConfig {
    /// Sink name. Default `pagerduty`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The integration's routing key.
    pub routing_key: SecretRef,
    /// Events API root. Default `https://events.pagerduty.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// `payload.source`. Default `runner-monitor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Severity of runner outages: critical (default), error, warning, info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_severity: Option<String>,
    /// Severity of "monitoring degraded": warning (default), critical, error, info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_severity: Option<String>,
    /// Timeout of one event. Default 10 s.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// `[sinks.route]`: which notifications this sink receives (kinds, scopes, labels); default
    /// everything.
    #[serde(default, skip_serializing_if = "Route::is_everything")]
    pub route: Route,
}

impl SinkConfig {
    /// The sink's name (its `name`, else its kind).
    pub fn name(&self) -> &str {
        match self {
            SinkConfig::Slack(sink) => sink.name.as_deref().unwrap_or("slack"),
            SinkConfig::Webhook(sink) => sink.name.as_deref().unwrap_or("webhook"),
            SinkConfig::PagerDuty(sink) => sink.name.as_deref().unwrap_or("pagerduty"),
            SinkConfig::SlackBot(sink) => sink.name.as_deref().unwrap_or("slack"),
        }
    }

    /// The sink's route (`[sinks.route]`).
    pub fn route(&self) -> &Route {
        match self {
            SinkConfig::Slack(sink) => &sink.route,
            SinkConfig::Webhook(sink) => &sink.route,
            SinkConfig::PagerDuty(sink) => &sink.route,
            SinkConfig::SlackBot(sink) => &sink.route,
        }
    }

    /// `slack`, `webhook`, `pagerduty` or `slack_bot`.
    pub fn kind(&self) -> &'static str {
        match self {
            SinkConfig::Slack(_) => "slack",
            SinkConfig::Webhook(_) => "webhook",
            SinkConfig::PagerDuty(_) => "pagerduty",
            SinkConfig::SlackBot(_) => "slack_bot",
        }
    }
}
