//! [`SlashCommands::handle_interaction`]: the signed `/slack/interactions` endpoint.

use std::sync::Arc;

use runner_monitor_core::Timestamp;
use serde_json::json;

use super::reply::notice;
use super::{HeaderLookup, MAX_BODY_BYTES, SlashCommands, SlashResponse, response_url};
use crate::blocks::{Message, ResponseType, escape};
use crate::interactions::{
    Action, ActionTarget, IncidentActions, InteractionPayload, SILENCE_BUTTON_DURATION, User,
};
use crate::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};

impl SlashCommands {
    /// Handles one interactivity request (a button click): `headers` as received, `raw_body`
    /// exactly as received (`payload=<json>`, form encoded), `now` the current time.
    ///
    /// Refused before anything is parsed, like a slash command: over 64 KiB `413`; missing,
    /// stale, malformed or forged signature `400`/`401`; and an exact replay of a request
    /// already accepted `401 replayed`. A signed body without a JSON payload is `400
    /// malformed_request`. Anything else is acknowledged at once with `200 {}` (Slack wants the
    /// acknowledgement within 3 s and ignores its body); the answer goes to the payload's
    /// `response_url` from a background task ([`finish_delayed`](Self::finish_delayed) waits
    /// for it):
    ///
    /// - History: the runner's `/runner-history` answer, ephemeral.
    /// - Acknowledge, Silence 1 h: through the [`IncidentActions`] hook, posted in the channel;
    ///   without a hook, an ephemeral "not available".
    /// - A button this version does not know, or a value that names no outage: ephemeral
    ///   notice. Payload types other than `block_actions` are acknowledged and ignored.
    pub async fn handle_interaction<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        raw_body: &[u8],
        now: Timestamp,
    ) -> SlashResponse {
        if raw_body.len() > MAX_BODY_BYTES {
            return SlashResponse::rejected(413, "body_too_large");
        }
        let signature = headers.header(SIGNATURE_HEADER);
        if let Err(error) =
            self.verifier
                .verify(headers.header(TIMESTAMP_HEADER), signature, raw_body, now)
        {
            tracing::warn!(reason = error.code(), "slack interaction refused");
            return SlashResponse::rejected(error.status(), error.code());
        }
        if !self
            .replay
            .first_time(signature.unwrap_or_default().trim(), now)
        {
            tracing::warn!(reason = "replayed", "slack interaction refused");
            return SlashResponse::rejected(401, "replayed");
        }
        let Some(payload) = InteractionPayload::parse(raw_body) else {
            tracing::warn!("signed slack interaction without a payload");
            return SlashResponse::rejected(400, "malformed_request");
        };
        let acknowledged = SlashResponse {
            status: 200,
            body: json!({}),
        };
        if payload.kind != "block_actions" {
            tracing::debug!(kind = %payload.kind, "slack interaction ignored");
            return acknowledged;
        }
        let Some(clicked) = payload.actions.first().cloned() else {
            return acknowledged;
        };
        tracing::info!(
            action = %clicked.action_id,
            user = %payload.user.id,
            "slack interaction"
        );
        let Some(url) = response_url::validate(&payload.response_url, self.delayed.allow_loopback)
        else {
            tracing::warn!(action = %clicked.action_id, "slack interaction without a usable response_url");
            return acknowledged;
        };
        let answers = Arc::clone(&self.answers);
        let incident = self.incident.clone();
        let client = self.delayed.client.clone();
        let delayed_within = self.delayed.delayed_within;
        let user = payload.user.clone();
        let task = tokio::spawn(async move {
            let action = clicked.action_id.clone();
            let work = async {
                let Some(kind) = Action::from_id(&clicked.action_id) else {
                    return notice("This button is not known to this version of runner-monitor.");
                };
                let Some(target) = ActionTarget::parse(&clicked.value) else {
                    return notice("This button does not name an outage runner-monitor knows.");
                };
                match kind {
                    Action::History => {
                        let scope = target.scope.to_string();
                        answers.history(&[&target.runner, &scope], now).await
                    }
                    Action::Acknowledge | Action::SilenceOneHour => {
                        incident_action(incident.as_deref(), kind, &target, &user, now).await
                    }
                }
            };
            let message = tokio::time::timeout(delayed_within, work)
                .await
                .unwrap_or_else(|_| super::reply::try_again());
            let mut body = SlashResponse::message(message).body;
            // A reply beside the alert, never a replacement of it.
            body["replace_original"] = json!(false);
            match response_url::post(&client, &url, &body).await {
                Ok(()) => tracing::info!(%action, "slack interaction answered"),
                Err(error) => {
                    tracing::warn!(%action, %error, "slack interaction answer not posted")
                }
            }
        });
        let mut tasks = self.delayed.lock_tasks();
        tasks.retain(|task| !task.is_finished());
        tasks.push(task);
        acknowledged
    }
}

impl SlashCommands {
    /// [`handle_interaction`](Self::handle_interaction) for hosts that receive the body as
    /// text and a base64 flag (API Gateway).
    pub async fn handle_interaction_encoded<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &str,
        is_base64_encoded: bool,
        now: Timestamp,
    ) -> SlashResponse {
        match super::decode_body(body, is_base64_encoded) {
            Ok(raw) => self.handle_interaction(headers, &raw, now).await,
            Err(_) => SlashResponse::rejected(400, "malformed_body"),
        }
    }
}

/// Acknowledge / Silence 1 h through the hook, or "not available" without one.
async fn incident_action(
    hook: Option<&dyn IncidentActions>,
    kind: Action,
    target: &ActionTarget,
    user: &User,
    now: Timestamp,
) -> Message {
    let Some(hook) = hook else {
        let what = if kind == Action::Acknowledge {
            "Acknowledging"
        } else {
            "Silencing"
        };
        return notice(format!(
            "{what} from a button is not available in this runner-monitor yet. Outage #{} of `{}` in `{}` is unchanged.",
            target.outage,
            escape(&target.runner),
            escape(&target.scope.to_string())
        ));
    };
    let result = if kind == Action::Acknowledge {
        hook.acknowledge(target, user, now).await
    } else {
        hook.silence(target, SILENCE_BUTTON_DURATION, user, now)
            .await
    };
    match result {
        Ok(message) => message.response_type(ResponseType::InChannel),
        Err(text) => notice(escape(&text)),
    }
}
