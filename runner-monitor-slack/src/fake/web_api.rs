//! [`FakeSlackApi`]: an axum server on 127.0.0.1:0 playing Slack's Web API for a bot:
//! `chat.postMessage` (with `thread_ts` replies) and `chat.update`, with a bearer-token check,
//! channels the bot is or is not in, per-method rate limits and injectable errors.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::validate::validate_message;

/// The bot token the fake accepts unless told otherwise.
pub const FAKE_BOT_TOKEN: &str = "xoxb-fake-0000-bot-token-secret";
/// The channel the bot is a member of from the start.
pub const FAKE_CHANNEL: &str = "C0FAKEALERT";
/// The first `ts` handed out; each message gets the next one.
const FIRST_TS: u64 = 1_700_000_000;

/// One version of a message's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// The top-level `text`.
    pub text: String,
    /// The top-level `blocks`.
    pub blocks: Value,
    /// The `attachments` (where a coloured message keeps its blocks).
    pub attachments: Value,
}

impl Content {
    /// The colour of the first attachment (`#E01E5A`...), if any.
    pub fn color(&self) -> Option<&str> {
        self.attachments.get(0)?.get("color")?.as_str()
    }

    /// The blocks shown: the top-level ones, else those of the first attachment.
    pub fn shown_blocks(&self) -> Value {
        match self.blocks.as_array() {
            Some(blocks) if !blocks.is_empty() => self.blocks.clone(),
            _ => self
                .attachments
                .get(0)
                .and_then(|a| a.get("blocks"))
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        }
    }

    /// The content as a `{text, blocks}` message, for [`render_plain`](super::render_plain).
    pub fn as_message(&self) -> Value {
        json!({ "text": self.text, "blocks": self.shown_blocks() })
    }
}

/// A message the fake holds: where, its `ts`, its thread and every version of its content.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiMessage {
    /// Channel id.
    pub channel: String,
    /// Its id.
    pub ts: String,
    /// The parent's `ts` for a thread reply.
    pub thread_ts: Option<String>,
    /// The content as posted.
    pub posted: Content,
    /// Every `chat.update`, in order.
    pub edits: Vec<Content>,
    /// Deleted with [`FakeSlackApi::delete_message`].
    pub deleted: bool,
}

impl ApiMessage {
    /// The content now: the last edit, else as posted.
    pub fn current(&self) -> &Content {
        self.edits.last().unwrap_or(&self.posted)
    }
}

/// One call the fake answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    /// `chat.postMessage`, `chat.update`...
    pub method: String,
    /// HTTP status answered.
    pub status: u16,
    /// The `error` answered, if not ok.
    pub error: Option<String>,
    /// The request body (`Value::Null` if not JSON).
    pub body: Value,
    /// The `X-Idempotency-Key` header.
    pub idempotency_key: Option<String>,
}

#[derive(Debug)]
struct Limit {
    per_window: usize,
    window: Duration,
    calls: VecDeque<Instant>,
}

#[derive(Debug, Default)]
struct Shared {
    token: String,
    /// Channel id -> whether the bot is a member.
    channels: HashMap<String, bool>,
    messages: Vec<ApiMessage>,
    calls: Vec<ApiCall>,
    /// Per method: errors to answer next.
    errors: HashMap<String, VecDeque<Injected>>,
    limits: HashMap<String, Limit>,
    next_ts: u64,
}

#[derive(Debug, Clone)]
enum Injected {
    Error(String),
    RateLimited(u64),
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

/// Slack's Web API on loopback, for tests and the demo.
///
/// - Every call needs `Authorization: Bearer <token>` ([`FAKE_BOT_TOKEN`] by default):
///   without it `not_authed`, with another `invalid_auth`, as Slack does (HTTP 200,
///   `{"ok": false}`).
/// - `chat.postMessage` needs a known channel (`channel_not_found`) the bot is in
///   (`not_in_channel`); [`FAKE_CHANNEL`] is. A `thread_ts` must name a message of that
///   channel (`thread_not_found`).
/// - `chat.update` needs the channel and `ts` of a message that exists (`message_not_found`).
/// - Payloads are checked against Slack's limits (`no_text`, `invalid_blocks`), top-level
///   blocks and the blocks of attachments alike.
/// - [`FakeSlackApi::rate_limit`] limits a method to N calls per window and answers
///   `429` + `Retry-After` + `ratelimited` beyond it; [`FakeSlackApi::fail_next`] injects any
///   error code.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use runner_monitor_slack::fake::FakeSlackApi;
/// use runner_monitor_slack::web_api::SlackWebApi;
/// let slack = FakeSlackApi::start().await?;
/// let api = SlackWebApi::builder(slack.token(), slack.channel_secret())
///     .base_url(slack.base_url())
///     .build()
///     .expect("valid");
/// slack.fail_next("chat.update", 1, "message_not_found");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct FakeSlackApi {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeSlackApi {
    /// Starts the fake on `127.0.0.1:0` (needs a running Tokio runtime).
    ///
    /// # Errors
    /// If the listener cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        {
            let mut shared = inner.lock();
            shared.token = FAKE_BOT_TOKEN.to_owned();
            shared.channels.insert(FAKE_CHANNEL.to_owned(), true);
            shared.next_ts = 1;
        }
        let app = Router::new().fallback(call).with_state(Arc::clone(&inner));
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake Slack Web API stopped");
            }
        });
        Ok(FakeSlackApi {
            addr,
            inner,
            server,
        })
    }

    /// The API root to give the client (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bot token it accepts, as a secret.
    pub fn token(&self) -> SecretString {
        SecretString::from(self.inner.lock().token.clone())
    }

    /// Accepts `token` instead (the old one becomes `invalid_auth`).
    pub fn set_token(&self, token: &str) {
        token.clone_into(&mut self.inner.lock().token);
    }

    /// [`FAKE_CHANNEL`], the channel the bot is in.
    pub fn channel(&self) -> &'static str {
        FAKE_CHANNEL
    }

    /// [`FAKE_CHANNEL`] as a secret, as the host config hands it over.
    pub fn channel_secret(&self) -> SecretString {
        SecretString::from(FAKE_CHANNEL)
    }

    /// Adds a channel; `bot_is_member = false` makes posts to it `not_in_channel`.
    pub fn add_channel(&self, id: &str, bot_is_member: bool) {
        self.inner
            .lock()
            .channels
            .insert(id.to_owned(), bot_is_member);
    }

    /// The next `n` calls of `method` answer `{"ok": false, "error": error}` (HTTP 200).
    pub fn fail_next(&self, method: &str, n: usize, error: &str) {
        let mut shared = self.inner.lock();
        let queue = shared.errors.entry(method.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(Injected::Error(error.to_owned()), n));
    }

    /// The next `n` calls of `method` answer `429` with `Retry-After: retry_after_secs`.
    pub fn rate_limit_next(&self, method: &str, n: usize, retry_after_secs: u64) {
        let mut shared = self.inner.lock();
        let queue = shared.errors.entry(method.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(
            Injected::RateLimited(retry_after_secs),
            n,
        ));
    }

    /// Allows at most `per_window` calls of `method` in any `window`; beyond that `429`,
    /// `Retry-After` = the seconds until a call leaves the window (at least 1).
    pub fn rate_limit(&self, method: &str, per_window: usize, window: Duration) {
        self.inner.lock().limits.insert(
            method.to_owned(),
            Limit {
                per_window,
                window,
                calls: VecDeque::new(),
            },
        );
    }

    /// Deletes a message: updates and replies to it become `message_not_found` /
    /// `thread_not_found`. Returns whether it existed.
    pub fn delete_message(&self, channel: &str, ts: &str) -> bool {
        let mut shared = self.inner.lock();
        let found = shared
            .messages
            .iter_mut()
            .find(|m| m.channel == channel && m.ts == ts);
        match found {
            Some(message) => {
                message.deleted = true;
                true
            }
            None => false,
        }
    }

    /// Every message posted, replies included, in order.
    pub fn messages(&self) -> Vec<ApiMessage> {
        self.inner.lock().messages.clone()
    }

    /// The messages posted to the channel itself (not in a thread).
    pub fn top_level(&self) -> Vec<ApiMessage> {
        self.messages()
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    }

    /// The message `ts` of `channel`.
    pub fn message(&self, channel: &str, ts: &str) -> Option<ApiMessage> {
        self.messages()
            .into_iter()
            .find(|m| m.channel == channel && m.ts == ts)
    }

    /// The replies in the thread of `ts`, in order.
    pub fn thread(&self, channel: &str, ts: &str) -> Vec<ApiMessage> {
        self.messages()
            .into_iter()
            .filter(|m| m.channel == channel && m.thread_ts.as_deref() == Some(ts))
            .collect()
    }

    /// Every call, in arrival order.
    pub fn calls(&self) -> Vec<ApiCall> {
        self.inner.lock().calls.clone()
    }

    /// How many calls of `method` arrived.
    pub fn calls_of(&self, method: &str) -> usize {
        self.inner
            .lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .count()
    }

    /// Waits until at least `count` calls have arrived, at most `within`; returns whether
    /// they did.
    pub async fn wait_for_calls(&self, count: usize, within: Duration) -> bool {
        let wait = async {
            loop {
                let arrived = self.inner.arrived.notified();
                if self.inner.lock().calls.len() >= count {
                    return;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(within, wait).await.is_ok()
    }
}

impl Drop for FakeSlackApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What one call gets: HTTP status, body, `Retry-After`.
struct Answer {
    status: u16,
    body: Value,
    retry_after: Option<u64>,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Answer {
            status: 200,
            body,
            retry_after: None,
        }
    }

    fn error(code: &str) -> Self {
        Answer {
            status: 200,
            body: json!({ "ok": false, "error": code }),
            retry_after: None,
        }
    }

    fn rate_limited(secs: u64) -> Self {
        Answer {
            status: 429,
            body: json!({ "ok": false, "error": "ratelimited" }),
            retry_after: Some(secs),
        }
    }
}

async fn call(
    State(inner): State<Arc<Inner>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = uri.path().strip_prefix("/api/").unwrap_or("").to_owned();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let idempotency_key = headers
        .get(crate::notifier::IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let answer = {
        let mut shared = inner.lock();
        let answer = answer(&mut shared, &method, authorization.as_deref(), &request);
        let error = answer
            .body
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned);
        shared.calls.push(ApiCall {
            method,
            status: answer.status,
            error,
            body: request,
            idempotency_key,
        });
        answer
    };
    inner.arrived.notify_waiters();
    let code = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, axum::Json(answer.body)).into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
    }
    response
}

fn answer(
    shared: &mut Shared,
    method: &str,
    authorization: Option<&str>,
    request: &Value,
) -> Answer {
    if method != "chat.postMessage" && method != "chat.update" {
        return Answer {
            status: 404,
            body: json!({ "ok": false, "error": "unknown_method" }),
            retry_after: None,
        };
    }
    if let Some(limit) = shared.limits.get_mut(method) {
        let now = Instant::now();
        while limit
            .calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            limit.calls.pop_front();
        }
        if limit.calls.len() >= limit.per_window {
            let oldest = limit.calls.front().copied().unwrap_or(now);
            let wait = limit.window.saturating_sub(now.duration_since(oldest));
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Answer::rate_limited(secs.max(1));
        }
        limit.calls.push_back(now);
    }
    if let Some(injected) = shared.errors.get_mut(method).and_then(VecDeque::pop_front) {
        return match injected {
            Injected::Error(code) => Answer::error(&code),
            Injected::RateLimited(secs) => Answer::rate_limited(secs),
        };
    }
    match authorization.and_then(|a| a.strip_prefix("Bearer ")) {
        None => return Answer::error("not_authed"),
        Some(token) if token != shared.token => return Answer::error("invalid_auth"),
        Some(_) => {}
    }
    if request.is_null() {
        return Answer::error("invalid_json");
    }
    let text = |key: &str| request.get(key).and_then(Value::as_str).map(str::to_owned);
    let Some(channel) = text("channel") else {
        return Answer::error("channel_not_found");
    };
    match shared.channels.get(&channel) {
        None => return Answer::error("channel_not_found"),
        Some(false) => return Answer::error("not_in_channel"),
        Some(true) => {}
    }
    let content = match content(request) {
        Ok(content) => content,
        Err(code) => return Answer::error(code),
    };
    if method == "chat.update" {
        let ts = text("ts").unwrap_or_default();
        let Some(message) = shared
            .messages
            .iter_mut()
            .find(|m| m.channel == channel && m.ts == ts && !m.deleted)
        else {
            return Answer::error("message_not_found");
        };
        message.edits.push(content.clone());
        return Answer::ok(
            json!({ "ok": true, "channel": channel, "ts": ts, "text": content.text }),
        );
    }
    let thread_ts = text("thread_ts");
    if let Some(parent) = &thread_ts
        && !shared
            .messages
            .iter()
            .any(|m| m.channel == channel && &m.ts == parent && !m.deleted)
    {
        return Answer::error("thread_not_found");
    }
    let ts = format!("{FIRST_TS}.{:06}", shared.next_ts);
    shared.next_ts += 1;
    shared.messages.push(ApiMessage {
        channel: channel.clone(),
        ts: ts.clone(),
        thread_ts,
        posted: content.clone(),
        edits: Vec::new(),
        deleted: false,
    });
    Answer::ok(json!({
        "ok": true,
        "channel": channel,
        "ts": ts,
        "message": { "text": content.text, "ts": ts },
    }))
}

/// The content of a post or update, checked against Slack's limits.
fn content(request: &Value) -> Result<Content, &'static str> {
    let content = Content {
        text: request
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        blocks: request.get("blocks").cloned().unwrap_or(json!([])),
        attachments: request.get("attachments").cloned().unwrap_or(json!([])),
    };
    let mut candidates = vec![json!({ "text": content.text, "blocks": content.blocks })];
    for attachment in content.attachments.as_array().into_iter().flatten() {
        candidates.push(json!({
            "text": content.text,
            "blocks": attachment.get("blocks").cloned().unwrap_or(json!([])),
        }));
    }
    for candidate in candidates {
        if let Err(problem) = validate_message(&candidate) {
            return Err(if problem.starts_with("no_text") {
                "no_text"
            } else {
                "invalid_blocks"
            });
        }
    }
    Ok(content)
}
