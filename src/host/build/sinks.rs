//! Notifiers from `[[sinks]]`.

use std::str::FromStr;
use std::sync::Arc;

use runner_monitor_core::Notifier;
use runner_monitor_slack::{SlackBotNotifier, SlackNotifier, SlackWebApi};
use runner_monitor_webhook::{PagerDutyNotifier, Severity, WebhookNotifier};

use super::BuildError;
use crate::host::config::{
    PagerDutySinkConfig, SinkConfig, SlackBotSinkConfig, SlackSinkConfig, WebhookSinkConfig,
};
use crate::host::secrets::SecretResolver;

/// Builds one notifier per sink, named as configured.
pub(crate) async fn notifiers(
    sinks: &[SinkConfig],
    secrets: &SecretResolver,
) -> Result<Vec<(String, Arc<dyn Notifier>)>, BuildError> {
    let mut built = Vec::with_capacity(sinks.len());
    for (index, sink) in sinks.iter().enumerate() {
        let notifier = notifier(index, sink, secrets).await?;
        built.push((sink.name().to_owned(), notifier));
    }
    Ok(built)
}

async fn notifier(
    index: usize,
    sink: &SinkConfig,
    secrets: &SecretResolver,
) -> Result<Arc<dyn Notifier>, BuildError> {
    let key = |field: &str| format!("sinks[{index}].{field}");
    // A component's refusal names the field it is about (`sinks[0].webhook_url`).
    let invalid =
        |field: &str, error: &dyn ToString| BuildError::component(key(field), error.to_string());
    match sink {
        SinkConfig::Slack(SlackSinkConfig {
            webhook_url,
            timeout,
            ..
        }) => {
            let url = secrets.resolve(&key("webhook_url"), webhook_url).await?;
            let mut builder = SlackNotifier::builder(url);
            if let Some(timeout) = timeout {
                builder = builder.timeout(*timeout);
            }
            Ok(Arc::new(
                builder.build().map_err(|e| invalid("webhook_url", &e))?,
            ))
        }
        SinkConfig::Webhook(WebhookSinkConfig {
            url,
            signing_secret,
            headers,
            timeout,
            ..
        }) => {
            let url = secrets.resolve(&key("url"), url).await?;
            let mut notifier = WebhookNotifier::new(url).map_err(|e| invalid("url", &e))?;
            if let Some(secret) = secrets
                .resolve_opt(&key("signing_secret"), signing_secret.as_ref())
                .await?
            {
                notifier = notifier.with_signing_secret(secret);
            }
            for (name, value) in headers {
                let value = secrets
                    .resolve(&key(&format!("headers.{name}")), value)
                    .await?;
                notifier = notifier
                    .with_header(name, value)
                    .map_err(|e| invalid(&format!("headers.{name}"), &e))?;
            }
            if let Some(timeout) = timeout {
                notifier = notifier.with_timeout(*timeout);
            }
            Ok(Arc::new(notifier))
        }
        SinkConfig::PagerDuty(PagerDutySinkConfig {
            routing_key,
            api_url,
            source,
            outage_severity,
            degraded_severity,
            timeout,
            ..
        }) => {
            let routing_key = secrets.resolve(&key("routing_key"), routing_key).await?;
            let mut notifier =
                PagerDutyNotifier::new(routing_key).map_err(|e| invalid("routing_key", &e))?;
            if let Some(api_url) = api_url {
                notifier = notifier
                    .with_base_url(api_url)
                    .map_err(|e| invalid("api_url", &e))?;
            }
            if let Some(source) = source {
                notifier = notifier.with_source(source.clone());
            }
            if let Some(severity) = outage_severity {
                notifier = notifier.with_outage_severity(
                    Severity::from_str(severity).map_err(|e| invalid("outage_severity", &e))?,
                );
            }
            if let Some(severity) = degraded_severity {
                notifier = notifier.with_degraded_severity(
                    Severity::from_str(severity).map_err(|e| invalid("degraded_severity", &e))?,
                );
            }
            if let Some(timeout) = timeout {
                notifier = notifier.with_timeout(*timeout);
            }
            Ok(Arc::new(notifier))
        }
        SinkConfig::SlackBot(config) => Ok(Arc::new(SlackBotNotifier::new(
            slack_web_api(index, config, secrets).await?,
        ))),
    }
}

/// The Web API client of the `slack_bot` sink at `index` (its notifier's, and the slash
/// commands' for replies in alert threads).
///
/// # Errors
/// A [`BuildError`] naming `sinks[i].bot_token`, `.channel` or `.api_url`.
async fn slack_web_api(
    index: usize,
    config: &SlackBotSinkConfig,
    secrets: &SecretResolver,
) -> Result<SlackWebApi, BuildError> {
    let key = |field: &str| format!("sinks[{index}].{field}");
    let SlackBotSinkConfig {
        bot_token,
        channel,
        api_url,
        timeout,
        ..
    } = config;
    let token = secrets.resolve(&key("bot_token"), bot_token).await?;
    let channel = secrets.resolve(&key("channel"), channel).await?;
    let mut builder = SlackWebApi::builder(token, channel);
    if let Some(api_url) = api_url {
        builder = builder.base_url(api_url.clone());
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(*timeout);
    }
    builder.build().map_err(|e| {
        let field = match e {
            runner_monitor_slack::WebApiConfigError::InvalidToken { .. } => "bot_token",
            runner_monitor_slack::WebApiConfigError::InvalidChannel { .. } => "channel",
            _ => "api_url",
        };
        BuildError::component(key(field), e.to_string())
    })
}

/// The first `slack_bot` sink's name and Web API client, if any: where the slash commands reply
/// in alert threads.
///
/// # Errors
/// As for building that sink.
pub(crate) async fn first_slack_bot(
    sinks: &[SinkConfig],
    secrets: &SecretResolver,
) -> Result<Option<(String, SlackWebApi)>, BuildError> {
    for (index, sink) in sinks.iter().enumerate() {
        if let SinkConfig::SlackBot(config) = sink {
            let api = slack_web_api(index, config, secrets).await?;
            return Ok(Some((sink.name().to_owned(), api)));
        }
    }
    Ok(None)
}
