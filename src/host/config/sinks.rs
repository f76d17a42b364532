//! `[[sinks]]`: where notifications go. Any number, each with a unique, stable name.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::SecretRef;

/// One `[[sinks]]` entry, chosen by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum SinkConfig {
    /// `kind = "slack"`: a Slack incoming webhook (Block Kit messages).
    Slack {
        /// Sink name, stored with each delivery: keep it stable. Default `slack`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The incoming webhook URL (a credential).
        webhook_url: SecretRef,
        /// Timeout of one post. Default 10 s.
        #[serde(
            default,
            with = "humantime_serde",
            skip_serializing_if = "Option::is_none"
        )]
        timeout: Option<Duration>,
    },
    /// `kind = "webhook"`: a versioned JSON document POSTed to any URL.
    Webhook {
        /// Sink name. Default `webhook`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The URL (treated as a credential).
        url: SecretRef,
        /// HMAC-SHA256 signing secret; absent: unsigned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signing_secret: Option<SecretRef>,
        /// Extra headers, each value a secret reference (e.g. an API key).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        headers: BTreeMap<String, SecretRef>,
        /// Timeout of one post. Default 10 s.
        #[serde(
            default,
            with = "humantime_serde",
            skip_serializing_if = "Option::is_none"
        )]
        timeout: Option<Duration>,
    },
    /// `kind = "pagerduty"`: PagerDuty Events API v2 (trigger on outage, resolve on recovery).
    #[serde(rename = "pagerduty")]
    PagerDuty {
        /// Sink name. Default `pagerduty`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The integration's routing key.
        routing_key: SecretRef,
        /// Events API root. Default `https://events.pagerduty.com`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_url: Option<String>,
        /// `payload.source`. Default `runner-monitor`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// Severity of runner outages: critical (default), error, warning, info.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outage_severity: Option<String>,
        /// Severity of "monitoring degraded": warning (default), critical, error, info.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        degraded_severity: Option<String>,
        /// Timeout of one event. Default 10 s.
        #[serde(
            default,
            with = "humantime_serde",
            skip_serializing_if = "Option::is_none"
        )]
        timeout: Option<Duration>,
    },
}

impl SinkConfig {
    /// The sink's name (its `name`, else its kind).
    pub fn name(&self) -> &str {
        match self {
            SinkConfig::Slack { name, .. } => name.as_deref().unwrap_or("slack"),
            SinkConfig::Webhook { name, .. } => name.as_deref().unwrap_or("webhook"),
            SinkConfig::PagerDuty { name, .. } => name.as_deref().unwrap_or("pagerduty"),
        }
    }

    /// `slack`, `webhook` or `pagerduty`.
    pub fn kind(&self) -> &'static str {
        match self {
            SinkConfig::Slack { .. } => "slack",
            SinkConfig::Webhook { .. } => "webhook",
            SinkConfig::PagerDuty { .. } => "pagerduty",
        }
    }
}
