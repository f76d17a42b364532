//! [`SlackReceiver`]: an axum server on 127.0.0.1:0 playing a Slack incoming webhook.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::Notify;

use super::script::Reply;
use super::validate::validate_message;
use crate::notifier::IDEMPOTENCY_HEADER;

/// The path of the fake webhook; its last segment plays the secret token of a real one.
const PATH: &str = "/services/T00000000/B00000000/fake-webhook-secret-token";

/// One request the receiver got.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The JSON payload (`Value::Null` if it was not JSON).
    pub payload: Value,
    /// The `X-Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// The status answered.
    pub status: u16,
    /// Why it was rejected by validation, if it was.
    pub problem: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    script: VecDeque<Reply>,
    received: Vec<Received>,
}

#[derive(Debug, Default)]
struct Inner {
    shared: Mutex<Shared>,
    arrived: Notify,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A Slack incoming webhook on loopback: records every payload, answers `200 ok` (after checking
/// the payload against Slack's limits, as Slack does), or what it was told to answer next.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use runner_monitor_slack::{SlackNotifier, fake::SlackReceiver};
/// let slack = SlackReceiver::start().await?;
/// let notifier = SlackNotifier::new(slack.webhook_url()).expect("valid URL");
/// slack.rate_limit_next(1, 30);
/// // ... notify ...
/// for message in slack.messages() {
///     println!("{}", runner_monitor_slack::fake::render_plain(&message));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SlackReceiver {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl SlackReceiver {
    /// Starts the receiver on `127.0.0.1:0` (needs a running Tokio runtime).
    ///
    /// # Errors
    /// If the listener cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .fallback(receive)
            .with_state(Arc::clone(&inner));
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake Slack receiver stopped");
            }
        });
        Ok(SlackReceiver {
            addr,
            inner,
            server,
        })
    }

    /// The webhook URL to configure a notifier with.
    pub fn webhook_url(&self) -> SecretString {
        SecretString::from(self.url())
    }

    /// The webhook URL as plain text (its last segment plays the secret).
    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    /// The secret part of the URL, to assert it never leaks.
    pub fn secret_token(&self) -> &'static str {
        PATH.rsplit('/').next().unwrap_or(PATH)
    }

    /// Answers the next requests with `replies`, in order (after any already scripted), then
    /// `200 ok` again.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().script.extend(replies);
    }

    /// The next `n` requests get `429` with `Retry-After: retry_after_secs`.
    pub fn rate_limit_next(&self, n: usize, retry_after_secs: u64) {
        self.script(std::iter::repeat_n(
            Reply::RateLimited { retry_after_secs },
            n,
        ));
    }

    /// The next `n` requests get `status` with `error` as the body (4xx or 5xx).
    pub fn fail_next(&self, n: usize, status: u16, error: &str) {
        self.script(std::iter::repeat_n(
            Reply::Error {
                status,
                error: error.to_owned(),
            },
            n,
        ));
    }

    /// The next `n` requests are answered only after `delay`.
    pub fn slow_next(&self, n: usize, delay: Duration) {
        self.script(std::iter::repeat_n(Reply::Slow(delay), n));
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().received.clone()
    }

    /// The payloads answered `200 ok`, in arrival order.
    pub fn messages(&self) -> Vec<Value> {
        self.inner
            .lock()
            .received
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.payload.clone())
            .collect()
    }

    /// Waits until at least `count` requests have arrived, at most `within`; returns whether
    /// they did.
    pub async fn wait_for(&self, count: usize, within: Duration) -> bool {
        let wait = async {
            loop {
                let arrived = self.inner.arrived.notified();
                if self.inner.lock().received.len() >= count {
                    return;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(within, wait).await.is_ok()
    }
}

impl Drop for SlackReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let idempotency_key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reply = if uri.path() == PATH {
        inner.lock().script.pop_front().unwrap_or(Reply::Accept)
    } else {
        Reply::Error {
            status: 404,
            error: "no_service".to_owned(),
        }
    };
    if let Reply::Slow(delay) = reply {
        tokio::time::sleep(delay).await;
    }
    let (status, answer, retry_after, problem) = match reply {
        Reply::Accept | Reply::Slow(_) => match validate_message(&payload) {
            Ok(()) => (200, "ok".to_owned(), None, None),
            Err(problem) => {
                let error = if problem.starts_with("no_text") {
                    "no_text"
                } else {
                    "invalid_blocks"
                };
                (400, error.to_owned(), None, Some(problem))
            }
        },
        Reply::RateLimited { retry_after_secs } => {
            (429, "rate_limited".to_owned(), Some(retry_after_secs), None)
        }
        Reply::Error { status, error } => (status, error, None, None),
    };
    inner.lock().received.push(Received {
        payload,
        idempotency_key,
        status,
        problem,
    });
    inner.arrived.notify_waiters();
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, [(header::CONTENT_TYPE, "text/plain")], answer).into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}
