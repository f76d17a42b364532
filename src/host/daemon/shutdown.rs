//! Graceful shutdown: a [`Shutdown`] that completes on SIGTERM or Ctrl-C (or when a test
//! triggers it). The daemon finishes the cycle in progress, deliveries included, then exits.

use tokio::sync::watch;

/// Completes once shutdown is requested. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// Requests shutdown.
#[derive(Debug, Clone)]
pub struct ShutdownTrigger(watch::Sender<bool>);

/// A connected trigger and shutdown.
pub fn channel() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger(sender), Shutdown(receiver))
}

impl ShutdownTrigger {
    /// Requests shutdown (idempotent).
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// A shutdown that never comes.
    pub fn never() -> Self {
        let (trigger, shutdown) = channel();
        std::mem::forget(trigger);
        shutdown
    }

    /// Completes on the first SIGTERM or Ctrl-C (SIGINT); a second one exits the process at
    /// once with status 130. Needs a Tokio runtime.
    pub fn on_signals() -> Self {
        let (trigger, shutdown) = channel();
        tokio::spawn(async move {
            signal().await;
            tracing::info!("shutdown requested: finishing the cycle in progress (again to abort)");
            trigger.trigger();
            signal().await;
            tracing::warn!("second signal: exiting at once");
            std::process::exit(130);
        });
        shutdown
    }

    /// Whether shutdown was requested.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes when shutdown is requested (at once if it already was). Never completes if the
    /// trigger is gone without having been used.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.0.clone();
        async move {
            if receiver.wait_for(|requested| *requested).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(unix)]
async fn signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn signal() {
    let _ = tokio::signal::ctrl_c().await;
}
