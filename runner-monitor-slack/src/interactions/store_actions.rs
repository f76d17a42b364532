//! [`StoreActions`]: Acknowledge and Silence 1 h carried out on the [`Store`] through the same
//! code as `/runner-ack` and `/runner-silence` ([`commands::actions`](crate::commands::actions)).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{Scope, Store, Timestamp};

use super::{ActionTarget, IncidentActions, User};
use crate::blocks::{Block, Message, ResponseType, date, escape, mention};
use crate::commands::actions::{self, ActionError};

/// What a store failure tells the clicking user (the error itself is logged).
const STORE_TROUBLE: &str = "runner-monitor could not reach its store just now; nothing changed. \
                             Please try again in a minute.";

/// The [`IncidentActions`] of every [`SlashCommands`](crate::SlashCommands): acknowledgements
/// and silences stored in `store`, exactly as the slash commands store them.
#[derive(Debug, Clone)]
pub struct StoreActions {
    store: Arc<dyn Store>,
    scopes: Vec<Scope>,
}

impl StoreActions {
    /// Actions on `store` for the monitored `scopes`.
    pub fn new(store: Arc<dyn Store>, scopes: Vec<Scope>) -> Self {
        StoreActions { store, scopes }
    }
}

#[async_trait]
impl IncidentActions for StoreActions {
    /// Acknowledges the outage the button is on. A button of an outage that is over (or of
    /// an earlier outage of the same runner) changes nothing and says so; an outage someone
    /// acknowledged already keeps its first acknowledgement.
    async fn acknowledge(
        &self,
        target: &ActionTarget,
        user: &User,
        now: Timestamp,
    ) -> Result<Message, String> {
        let state = self.store.load(&target.scope).await.map_err(|error| {
            tracing::warn!(scope = %target.scope, %error, "acknowledge: cannot load the scope");
            STORE_TROUBLE.to_owned()
        })?;
        let name = escape(&target.runner);
        match state.open_outages.get(&target.runner) {
            None => {
                return Err(format!(
                    "Outage #{} of `{name}` is over: there is nothing to acknowledge.",
                    target.outage
                ));
            }
            Some(open) if open.id != target.outage => {
                return Err(format!(
                    "Outage #{} of `{name}` is over; its current outage is #{}. Acknowledge it \
                     with `/runner-ack {name} {}`.",
                    target.outage,
                    open.id,
                    escape(&target.scope.to_string())
                ));
            }
            Some(open) => {
                if let Some(ack) = &open.acknowledged {
                    return Ok(in_channel(format!(
                        ":eyes: Outage #{} of `{name}` was already acknowledged by {} at {}.",
                        open.id,
                        mention(&ack.by),
                        date(ack.at)
                    )));
                }
            }
        }
        match actions::acknowledge(
            self.store.as_ref(),
            &self.scopes,
            &target.runner,
            Some(&target.scope),
            &user.id,
            now,
        )
        .await
        {
            Ok((scope, outage)) => Ok(crate::commands::silences::acknowledged(
                &scope, &outage, &user.id,
            )),
            Err(ActionError::Store(error)) => {
                tracing::warn!(scope = %target.scope, %error, "acknowledge: cannot store");
                Err(STORE_TROUBLE.to_owned())
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Silences the runner (in every scope, as `/runner-silence <runner>` does) for
    /// `duration`.
    async fn silence(
        &self,
        target: &ActionTarget,
        duration: Duration,
        user: &User,
        now: Timestamp,
    ) -> Result<Message, String> {
        let reason = format!(
            "Silence button on outage #{} in {}",
            target.outage, target.scope
        );
        match actions::silence(
            self.store.as_ref(),
            &target.runner,
            duration,
            &reason,
            &user.id,
            now,
        )
        .await
        {
            Ok(silence) => {
                let until = match silence.window {
                    runner_monitor_core::SilenceWindow::Once { until, .. } => date(until),
                    _ => humantime::format_duration(duration).to_string(),
                };
                Ok(in_channel(format!(
                    ":mute: {} silenced `{}` until {until}: its alerts wait until then. \
                     `/runner-unsilence {}` ends it early.",
                    mention(&user.id),
                    escape(&target.runner),
                    escape(&silence.id)
                )))
            }
            Err(ActionError::Store(error)) => {
                tracing::warn!(runner = %target.runner, %error, "silence: cannot store");
                Err(STORE_TROUBLE.to_owned())
            }
            Err(error) => Err(error.to_string()),
        }
    }
}

fn in_channel(mrkdwn: String) -> Message {
    Message::new(mrkdwn.clone())
        .response_type(ResponseType::InChannel)
        .block(Block::text(mrkdwn))
}
