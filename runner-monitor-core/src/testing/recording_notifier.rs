//! [`RecordingNotifier`]: a [`Notifier`] that records what it delivers and fails on demand.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::model::Notification;
use crate::ports::{Notifier, NotifyError};

#[derive(Debug, Default)]
struct State {
    delivered: Vec<Notification>,
    attempts: usize,
    fail_next: usize,
    next_error: Option<NotifyError>,
    always: Option<NotifyError>,
}

/// Records every notification it accepts. Can fail the next N attempts or every attempt.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    state: Mutex<State>,
}

impl RecordingNotifier {
    /// A notifier that accepts everything.
    pub fn new() -> Self {
        Self::default()
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

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let mut state = self.lock();
        state.attempts += 1;
        if let Some(error) = &state.always {
            return Err(error.clone());
        }
        if state.fail_next > 0 {
            state.fail_next -= 1;
            if let Some(error) = &state.next_error {
                return Err(error.clone());
            }
        }
        state.delivered.push(notification.clone());
        Ok(())
    }
}
