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
    /// once with status 130. The handlers are installed before this returns. Needs a Tokio
    /// runtime.
    pub fn on_signals() -> Self {
        let (trigger, shutdown) = channel();
        let mut signals = Signals::install();
        tokio::spawn(async move {
            signals.next().await;
            tracing::info!("shutdown requested: finishing the cycle in progress (again to abort)");
            trigger.trigger();
            signals.next().await;
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

/// SIGTERM and SIGINT listeners, registered when created.
#[cfg(unix)]
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(signal) => Some(signal),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for {name}");
                None
            }
        };
        Signals {
            term: listen(SignalKind::terminate(), "SIGTERM"),
            int: listen(SignalKind::interrupt(), "SIGINT"),
        }
    }

    async fn next(&mut self) {
        async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = recv(&mut self.term) => {}
            () = recv(&mut self.int) => {}
        }
    }
}

/// Ctrl-C only where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Self {
        Signals
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
