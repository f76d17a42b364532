//! [`PagerDutyNotifier`]: sends Events API v2 triggers and resolves.

use std::time::Duration;

use async_trait::async_trait;
use http::header::CONTENT_TYPE;
use reqwest::Url;
use runner_monitor_core::{Message, Notification, Notifier, NotifyError, Sent};
use runner_monitor_http::{Redactor, UrlRules, check_url};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::Severity;
use super::event::{Event, EventSettings, event_for};
use super::group::{events_for, trigger_key};
use super::response::error_detail;
use crate::ConfigError;
use crate::client::default_client;
use crate::http_errors::{read_body_prefix, status_error, transport_error};

/// PagerDuty's Events API host.
const DEFAULT_BASE_URL: &str = "https://events.pagerduty.com";
const ENQUEUE_PATH: &str = "/v2/enqueue";
const DEFAULT_SOURCE: &str = "runner-monitor";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const SERVICE: &str = "PagerDuty";

/// The request body: the routing key, then the event.
#[derive(Serialize)]
struct Envelope<'a> {
    routing_key: &'a str,
    #[serde(flatten)]
    event: &'a Event,
}

/// Sends notifications to a PagerDuty service through the Events API v2.
///
/// - `outage_opened` and `monitoring_degraded` trigger an alert; `outage_resolved` and
///   `monitoring_restored` resolve it. Both carry the same [`dedup_key`](crate::dedup_key),
///   derived from the incident alone, so a resolve finds its trigger even after a restart.
/// - `outage_reminder` is **not** sent (PagerDuty re-notifies by its own escalation policy; a
///   second trigger with the same key would only be deduplicated): `notify` returns `Ok(())`
///   without a request.
///
/// ```
/// use runner_monitor_webhook::{PagerDutyNotifier, Severity};
/// use secrecy::SecretString;
/// let notifier = PagerDutyNotifier::new(SecretString::from("R0UT1NGKEY0000000000000000000000"))?
///     .with_outage_severity(Severity::Error)
///     .with_source("ci-runners.acme.internal");
/// assert!(!format!("{notifier:?}").contains("R0UT1NGKEY"));
/// # Ok::<(), runner_monitor_webhook::ConfigError>(())
/// ```
pub struct PagerDutyNotifier {
    client: reqwest::Client,
    routing_key: SecretString,
    endpoint: Url,
    settings: EventSettings,
    timeout: Duration,
    redactor: Redactor,
}

impl std::fmt::Debug for PagerDutyNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let endpoint = format!(
            "{}{}",
            self.endpoint.origin().ascii_serialization(),
            self.endpoint.path()
        );
        f.debug_struct("PagerDutyNotifier")
            .field("routing_key", &"[redacted]")
            .field("endpoint", &endpoint)
            .field("source", &self.settings.source)
            .field("outage_severity", &self.settings.outage_severity)
            .field("degraded_severity", &self.settings.degraded_severity)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PagerDutyNotifier {
    /// A notifier for the service (or global ruleset) with this integration `routing_key`, sending
    /// to `https://events.pagerduty.com/v2/enqueue` with source `runner-monitor`, severity
    /// `critical` for outages and `warning` for degraded monitoring, and a 10 s timeout.
    ///
    /// # Errors
    /// [`ConfigError::EmptySecret`] for an empty key; [`ConfigError::Client`] if the HTTP client
    /// cannot be built.
    pub fn new(routing_key: SecretString) -> Result<Self, ConfigError> {
        if routing_key.expose_secret().trim().is_empty() {
            return Err(ConfigError::EmptySecret {
                what: "the PagerDuty routing key",
            });
        }
        let mut redactor = Redactor::default();
        redactor.add(&routing_key);
        Ok(PagerDutyNotifier {
            client: default_client()?,
            routing_key,
            endpoint: endpoint(DEFAULT_BASE_URL)?,
            settings: EventSettings {
                source: DEFAULT_SOURCE.to_owned(),
                outage_severity: Severity::Critical,
                degraded_severity: Severity::Warning,
            },
            timeout: DEFAULT_TIMEOUT,
            redactor,
        })
    }

    /// Sends to `{base_url}/v2/enqueue` instead (tests, proxies, EU service region
    /// `https://events.eu.pagerduty.com`).
    ///
    /// # Errors
    /// [`ConfigError::InvalidUrl`] unless `base_url` is an absolute `https` URL (or `http` to a
    /// loopback host) without user info, query or fragment.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, ConfigError> {
        self.endpoint = endpoint(base_url)?;
        Ok(self)
    }

    /// `payload.source` of triggers: where the problem is, e.g. the host running the monitor
    /// (default `runner-monitor`).
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.settings.source = source.into();
        self
    }

    /// Severity of `outage_opened` triggers (default [`Severity::Critical`]).
    #[must_use]
    pub fn with_outage_severity(mut self, severity: Severity) -> Self {
        self.settings.outage_severity = severity;
        self
    }

    /// Severity of `monitoring_degraded` triggers (default [`Severity::Warning`]).
    #[must_use]
    pub fn with_degraded_severity(mut self, severity: Severity) -> Self {
        self.settings.degraded_severity = severity;
        self
    }

    /// How long a request may take in total (default 10 s).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses a caller-provided client (connection pool, proxy, ...).
    #[must_use]
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }
}

#[async_trait]
impl Notifier for PagerDutyNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let Some(event) = event_for(notification, &self.settings) else {
            tracing::debug!(
                kind = notification.kind_name(),
                "not sent to PagerDuty (reminders are left to PagerDuty's escalation)"
            );
            return Ok(());
        };
        self.post(&event, notification.kind_name()).await
    }

    /// A group of openings is one trigger with the group's `dedup_key`; a resolution resolves
    /// the triggers whose runners are all back (from the receipts the dispatcher hands over) and
    /// sends nothing while some are still down. Every event of the message must be accepted for
    /// its members to count as sent (PagerDuty deduplicates a repeated event on its key).
    async fn send(&self, message: &Message) -> Sent {
        let mut result = Ok(());
        for event in events_for(message, &self.settings) {
            result = self.post(&event, message.kind_name()).await;
            if result.is_err() {
                break;
            }
        }
        let mut sent = Sent::all(message.members.len(), result);
        sent.handle = Some(trigger_key(message));
        sent
    }

    /// Receipts remember which trigger (`dedup_key`) a grouped outage went out under.
    fn keeps_receipts(&self) -> bool {
        true
    }
}

impl PagerDutyNotifier {
    /// Posts one event.
    async fn post(&self, event: &Event, kind: &str) -> Result<(), NotifyError> {
        let body = serde_json::to_vec(&Envelope {
            routing_key: self.routing_key.expose_secret(),
            event,
        })
        .map_err(|e| NotifyError::permanent(format!("cannot encode the event: {e}")))?;
        let response = self
            .client
            .post(self.endpoint.clone())
            .timeout(self.timeout)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e, self.timeout, &self.redactor))?;
        let status = response.status();
        if status.is_success() {
            tracing::debug!(
                kind,
                dedup_key = %event.dedup_key,
                status = status.as_u16(),
                "PagerDuty event accepted"
            );
            return Ok(());
        }
        let headers = response.headers().clone();
        let body = read_body_prefix(response).await;
        Err(status_error(
            SERVICE,
            status,
            &headers,
            &error_detail(&body),
            &self.redactor,
        ))
    }
}

/// `{base}/v2/enqueue`, keeping any path prefix of `base`.
fn endpoint(base: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidUrl {
        what: "PagerDuty base",
        reason,
    };
    let base = check_url(base, UrlRules::BASE).map_err(|e| invalid(e.to_string()))?;
    let mut url = base.clone();
    let path = format!("{}{ENQUEUE_PATH}", base.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_a_path_prefix() -> Result<(), ConfigError> {
        assert_eq!(
            endpoint(DEFAULT_BASE_URL)?.as_str(),
            "https://events.pagerduty.com/v2/enqueue"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/pd/")?.as_str(),
            "http://127.0.0.1:8080/pd/v2/enqueue"
        );
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("http://events.pagerduty.com").is_err());
        assert!(endpoint("https://u:p@events.pagerduty.com").is_err());
        assert!(endpoint("nope").is_err());
        Ok(())
    }

    #[test]
    fn empty_routing_key_is_rejected() {
        assert!(matches!(
            PagerDutyNotifier::new(SecretString::from(" ")),
            Err(ConfigError::EmptySecret { .. })
        ));
    }
}
