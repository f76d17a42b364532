//! [`RecordingNotifier`]: a [`Notifier`] that records what it delivers and fails on demand.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::model::{Message, Notification};
use crate::ports::{MemberOutcome, Notifier, NotifyError, Sent};

#[derive(Debug, Default)]
struct State {
    delivered: Vec<Notification>,
    messages: Vec<Message>,
    attempts: usize,
    fail_next: usize,
    next_error: Option<NotifyError>,
    always: Option<NotifyError>,
}

/// Records every notification it accepts. Can fail the next N attempts or every attempt.
///
/// Made with [`new`](Self::new) it takes messages member by member (the port's default `send`:
/// one attempt per notification); made with [`grouping`](Self::grouping) it takes each message
/// in one attempt, like the sinks that render groups, and keeps receipts if asked to.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    state: Mutex<State>,
    grouping: bool,
    receipts: bool,
}

impl RecordingNotifier {
    /// A notifier that accepts everything, one notification per attempt.
    pub fn new() -> Self {
        Self::default()
    }

    /// A notifier that accepts each message in one attempt (all members succeed or fail
    /// together), and with `receipts` asks the dispatcher to keep message receipts.
    pub fn grouping(receipts: bool) -> Self {
        RecordingNotifier {
            grouping: true,
            receipts,
            ..Self::default()
        }
    }

    /// Messages accepted, in order (a notification sent alone is a message of one).
    pub fn messages(&self) -> Vec<Message> {
        self.lock().messages.clone()
    }

    /// Fails the next `n` attempts with `error`.
    pub fn fail_next(&self, n: usize, error: NotifyError) {
        let mut state = self.lock();
        state.fail_next = n;
        state.next_error = Some(error);
    }

    /// Fails every attempt with `error` until [`recover`](Self::recover).
    pub fn fail_always(&self, error: NotifyError) {
        self.lock().always = Some(error);
    }

    /// Stops failing.
    pub fn recover(&self) {
        let mut state = self.lock();
        state.always = None;
        state.fail_next = 0;
    }

    /// Notifications accepted, in order.
    pub fn delivered(&self) -> Vec<Notification> {
        self.lock().delivered.clone()
    }

    /// Idempotency keys of the notifications accepted, in order.
    pub fn keys(&self) -> Vec<String> {
        self.lock()
            .delivered
            .iter()
            .map(Notification::idempotency_key)
            .collect()
    }

    /// Calls to `notify`, successful or not.
    pub fn attempts(&self) -> usize {
        self.lock().attempts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl State {
    /// Counts an attempt and says whether it fails.
    fn attempt(&mut self) -> Result<(), NotifyError> {
        self.attempts += 1;
        if let Some(error) = &self.always {
            return Err(error.clone());
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            if let Some(error) = &self.next_error {
                return Err(error.clone());
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let mut state = self.lock();
        state.attempt()?;
        state.delivered.push(notification.clone());
        state
            .messages
            .push(Message::new(vec![notification.clone()]));
        Ok(())
    }

    async fn send(&self, message: &Message) -> Sent {
        if !self.grouping {
            let mut outcomes = Vec::new();
            let mut waiting = false;
            for member in &message.members {
                if waiting {
                    outcomes.push(MemberOutcome::NotAttempted);
                    continue;
                }
                match self.notify(member).await {
                    Ok(()) => outcomes.push(MemberOutcome::Sent),
                    Err(error) => {
                        waiting = error.retry_after().is_some();
                        outcomes.push(MemberOutcome::Failed(error));
                    }
                }
            }
            return Sent {
                outcomes,
                handle: None,
            };
        }
        let mut state = self.lock();
        let result = state.attempt();
        if result.is_ok() {
            state.delivered.extend(message.members.iter().cloned());
            state.messages.push(message.clone());
        }
        Sent::all(message.members.len(), result)
    }

    fn keeps_receipts(&self) -> bool {
        self.receipts
    }
}
