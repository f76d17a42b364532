//! One living message per incident: which dispatcher message becomes a new post, which goes in
//! the thread of the alert it follows, and when that alert turns green.
//!
//! The dispatcher hands a follow-up message (reminder, recovery) the receipts of the alerts its
//! members belong to ([`Message::follows`]). Each member goes to the first receipt holding it
//! open whose handle is a [`Posted`]; the members of one alert are answered together: the alert
//! is updated first when this message closes it (so a retry after a failed reply repeats an
//! idempotent update, never a reply), then one reply goes in its thread. Members no alert
//! follows, and those whose alert was deleted (`message_not_found`), are posted as a new message.
//! Each alert's members settle on their own: a rate limit on the second thread leaves the first
//! thread's members sent.

use runner_monitor_core::{MemberOutcome, Message, MessageReceipt, Notification, Sent};

use super::SlackBotNotifier;
use crate::messages::bot;
use crate::web_api::{Posted, WebApiError};

/// Sends `message` (see the module documentation).
pub(super) async fn send(notifier: &SlackBotNotifier, message: &Message) -> Sent {
    let count = message.members.len();
    let (threads, mut anew) = by_alert(message);
    let mut outcomes = vec![MemberOutcome::NotAttempted; count];
    let mut waiting = false;
    for thread in &threads {
        if waiting {
            break;
        }
        let members: Vec<Notification> = thread
            .members
            .iter()
            .map(|&i| message.members[i].clone())
            .collect();
        match answer_in_thread(notifier, thread, message, &members).await {
            Ok(()) => {
                for &i in &thread.members {
                    outcomes[i] = MemberOutcome::Sent;
                }
            }
            Err(WebApiError::MessageNotFound { .. }) => {
                tracing::info!(
                    ts = %thread.alert.ts,
                    "the alert this follows was deleted; posting anew"
                );
                anew.extend(&thread.members);
            }
            Err(error) => {
                waiting = error.retry_after().is_some();
                let error = runner_monitor_core::NotifyError::from(error);
                for &i in &thread.members {
                    outcomes[i] = MemberOutcome::Failed(error.clone());
                }
            }
        }
    }
    let mut handle = None;
    if !anew.is_empty() && !waiting {
        anew.sort_unstable();
        let fresh = if anew.len() == count {
            message.clone()
        } else {
            Message::new(anew.iter().map(|&i| message.members[i].clone()).collect())
        };
        let result = notifier.api.post(&bot::post(&fresh), &fresh.key).await;
        let outcome = match result {
            Ok(posted) => {
                tracing::debug!(key = %fresh.key, ts = %posted.ts, "slack bot message posted");
                handle = Some(posted.handle());
                MemberOutcome::Sent
            }
            Err(error) => {
                tracing::warn!(key = %fresh.key, %error, "slack bot message not posted");
                MemberOutcome::Failed(error.into())
            }
        };
        for &i in &anew {
            outcomes[i] = outcome.clone();
        }
    }
    Sent { outcomes, handle }
}

/// The members one stored alert follows.
struct Thread<'a> {
    /// Its receipt's index in [`Message::follows`].
    at: usize,
    alert: Posted,
    receipt: &'a MessageReceipt,
    /// Indexes into the message's members.
    members: Vec<usize>,
}

/// Splits the members into the alerts they follow (in the order of the receipts) and those to
/// post anew.
fn by_alert(message: &Message) -> (Vec<Thread<'_>>, Vec<usize>) {
    let mut threads: Vec<Thread<'_>> = Vec::new();
    let mut anew = Vec::new();
    for (index, member) in message.members.iter().enumerate() {
        let key = member.incident_key();
        let followed = message
            .follows
            .iter()
            .enumerate()
            .find_map(|(at, receipt)| {
                let alert = Posted::from_handle(&receipt.handle)?;
                receipt.follows(&key).then_some((at, receipt, alert))
            });
        let Some((at, receipt, alert)) = followed else {
            anew.push(index);
            continue;
        };
        match threads.iter_mut().find(|t| t.at == at) {
            Some(thread) => thread.members.push(index),
            None => threads.push(Thread {
                at,
                alert,
                receipt,
                members: vec![index],
            }),
        }
    }
    (threads, anew)
}

/// Turns the alert green when `message` closes it, then replies in its thread.
async fn answer_in_thread(
    notifier: &SlackBotNotifier,
    thread: &Thread<'_>,
    message: &Message,
    members: &[Notification],
) -> Result<(), WebApiError> {
    let part = Message::new(members.to_vec());
    if thread.receipt.closed_by(message) {
        let green = bot::closed_parent(&part);
        notifier
            .api
            .update(&thread.alert.channel, &thread.alert.ts, &green, &part.key)
            .await?;
    }
    notifier
        .api
        .reply(
            &thread.alert.channel,
            &thread.alert.ts,
            &bot::reply(members),
            &part.key,
        )
        .await?;
    Ok(())
}
