//! [`SlashCommands::handle_interaction`]: the signed `/slack/interactions` endpoint.

use std::sync::Arc;

use runner_monitor_core::Timestamp;
use serde_json::json;

use super::reply::notice;
use super::{HeaderLookup, MAX_BODY_BYTES, SlashCommands, SlashResponse, response_url};
use crate::blocks::{Message, ResponseType, date, escape, mention};
use crate::interactions::{
    Action, ActionTarget, IncidentActions, InteractionPayload, SILENCE_BUTTON_DURATION, after_click,
};
use crate::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::web_api::{BotMessage, Tone};

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
    /// - Acknowledge, Silence 1 h: through the [`IncidentActions`] hook (by default the code of
    ///   `/runner-ack` and `/runner-silence`); once done, the clicked message loses that button
    ///   and gains a line "Acknowledged by @ana", and the outcome is told in the alert's thread
    ///   (bot mode, [`thread_replies`](Self::thread_replies)) or the channel. A refusal (the
    ///   outage is over) is an ephemeral notice.
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
        // Without a usable response_url the click is still carried out; in bot mode the
        // message and the thread are reached through the Web API, else nothing is answered.
        let url = response_url::validate(&payload.response_url, self.delayed.allow_loopback);
        if url.is_none() {
            tracing::warn!(action = %clicked.action_id, "slack interaction without a usable response_url");
        }
        let click = Click {
            answers: Arc::clone(&self.answers),
            incident: Arc::clone(&self.incident),
            threads: self.answers.threads.clone(),
            client: self.delayed.client.clone(),
            url,
            payload,
            action_id: clicked.action_id.clone(),
            value: clicked.value.clone(),
            now,
        };
        let delayed_within = self.delayed.delayed_within;
        let task = tokio::spawn(async move {
            if tokio::time::timeout(delayed_within, click.carry_out())
                .await
                .is_err()
            {
                tracing::warn!("slack interaction not answered in time");
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

/// One accepted button click, carried out in a background task.
struct Click {
    answers: Arc<super::Answers>,
    incident: Arc<dyn IncidentActions>,
    threads: Option<super::Threads>,
    client: reqwest::Client,
    url: Option<reqwest::Url>,
    payload: InteractionPayload,
    action_id: String,
    value: String,
    now: Timestamp,
}

impl Click {
    /// Does what the button says and answers:
    /// - History: the `/runner-history` answer, ephemeral.
    /// - Acknowledge, Silence 1 h, done: the clicked message is replaced by itself without the
    ///   button and with a line saying who did it ("Acknowledged by @ana"); the outcome is told
    ///   in the alert's thread (bot mode), else in the channel.
    /// - Refused (an outage that is over, a store failure): an ephemeral notice; the message
    ///   stays as it was.
    async fn carry_out(self) {
        let Some(kind) = Action::from_id(&self.action_id) else {
            return self
                .respond(&notice(
                    "This button is not known to this version of runner-monitor.",
                ))
                .await;
        };
        let Some(target) = ActionTarget::parse(&self.value) else {
            return self
                .respond(&notice(
                    "This button does not name an outage runner-monitor knows.",
                ))
                .await;
        };
        let user = &self.payload.user;
        let result = match kind {
            Action::History => {
                let scope = target.scope.to_string();
                let answer = self
                    .answers
                    .history(&[&target.runner, &scope], self.now)
                    .await;
                return self.respond(&answer).await;
            }
            Action::Acknowledge => self.incident.acknowledge(&target, user, self.now).await,
            Action::SilenceOneHour => {
                self.incident
                    .silence(&target, SILENCE_BUTTON_DURATION, user, self.now)
                    .await
            }
        };
        let told = match result {
            Ok(told) => told,
            Err(text) => return self.respond(&notice(escape(&text))).await,
        };
        self.mark_message(kind).await;
        if !self.tell_in_thread(&told).await {
            self.respond(&told.response_type(ResponseType::InChannel))
                .await;
        }
    }

    /// Replaces the clicked message: its button off, who did what on.
    async fn mark_message(&self, kind: Action) {
        let who = mention(&self.payload.user.id);
        let line = match kind {
            Action::Acknowledge => format!(":eyes: Acknowledged by {who} at {}", date(self.now)),
            _ => format!(
                ":mute: Silenced for {} by {who} at {}",
                humantime::format_duration(SILENCE_BUTTON_DURATION),
                date(self.now)
            ),
        };
        let Some(original) = &self.payload.message else {
            return;
        };
        let Some(body) = after_click(original, &self.action_id, &line) else {
            return;
        };
        // Bot mode: chat.update with the bot token; else (or if that fails) the response_url.
        if let Some((threads, channel, ts)) = self.bot_target() {
            let key = format!("{}/{}/update", self.action_id, self.value);
            match threads.api.replace(channel, ts, &body, &key).await {
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(action = %self.action_id, %error, "clicked message not updated through the Web API")
                }
            }
        }
        let Some(url) = &self.url else {
            return;
        };
        if let Err(error) = response_url::post(&self.client, url, &body).await {
            tracing::warn!(action = %self.action_id, %error, "clicked message not updated");
        }
    }

    /// Bot mode's Web API and the clicked message's channel and `ts`, when all are known.
    fn bot_target(&self) -> Option<(&super::Threads, &str, &str)> {
        let threads = self.threads.as_ref()?;
        let container = &self.payload.container;
        (!container.channel_id.is_empty() && !container.message_ts.is_empty()).then_some((
            threads,
            container.channel_id.as_str(),
            container.message_ts.as_str(),
        ))
    }

    /// Bot mode: replies `told` in the thread of the clicked message. Whether it was posted.
    async fn tell_in_thread(&self, told: &Message) -> bool {
        let Some((threads, channel, ts)) = self.bot_target() else {
            return false;
        };
        let key = format!("{}/{}", self.action_id, self.value);
        let reply = BotMessage::new(told.clone(), Tone::Plain);
        match threads.api.reply(channel, ts, &reply, &key).await {
            Ok(_) => true,
            Err(error) => {
                tracing::warn!(action = %self.action_id, %error, "thread reply not posted; answering in the channel");
                false
            }
        }
    }

    /// Posts `message` to the click's `response_url`, beside the alert (never replacing it).
    async fn respond(&self, message: &Message) {
        let Some(url) = &self.url else {
            tracing::warn!(action = %self.action_id, "slack interaction not answered: no usable response_url");
            return;
        };
        let mut body = SlashResponse::message(message.clone()).body;
        body["replace_original"] = json!(false);
        match response_url::post(&self.client, url, &body).await {
            Ok(()) => tracing::info!(action = %self.action_id, "slack interaction answered"),
            Err(error) => {
                tracing::warn!(action = %self.action_id, %error, "slack interaction answer not posted")
            }
        }
    }
}
