//! [`SlashCommands`]: the transport-agnostic slash-command handler.
//!
//! `(headers, raw body, now) -> (status, JSON body)`. A host (the daemon's axum route, an API
//! Gateway Lambda) passes what it received and sends back what it gets. The signature is checked
//! on the raw bytes before anything is parsed; a forged, stale or malformed request is refused
//! with 400/401 without touching the store. A command about one scope reads the store once
//! (`/runner-history` reads the scope a second time only to suggest names for a runner it did not
//! find); a command about every scope (`/runner-status` or `/runner-history <runner>` without a
//! scope, when several are watched) loads each scope once, in parallel, and `/runner-history`
//! then reads the outages of the one scope the runner is in.
//!
//! **Slack's 3-second rule**: Slack shows an error unless the HTTP answer comes within 3 s. The
//! handler answers within 2.5 s ([`DEFAULT_ACK_WITHIN`]): when the store is slower, it answers
//! "working on it" (ephemeral) at once and posts the real answer to the request's `response_url`
//! (a delayed response) when it is ready, in a background task. Hosts that freeze between
//! requests (AWS Lambda) wait for those tasks with [`SlashCommands::finish_delayed`] after sending
//! the answer.

pub mod actions;
mod headers;
mod help;
mod history;
mod interaction;
mod load_all;
mod locate;
mod overview;
mod pools;
mod reply;
mod request;
mod response_url;
mod scope_arg;
pub(crate) mod silences;
mod status;
mod suggest;
mod threads;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use runner_monitor_core::{Pool, Scope, ScopeState, Silence, Store, StoreError, Timestamp};
use runner_monitor_http::error_chain;
use secrecy::{ExposeSecret, SecretString};
use tokio::task::JoinHandle;

use crate::blocks::{Block, Message, escape};
use crate::signature::{SIGNATURE_HEADER, SignatureVerifier, TIMESTAMP_HEADER};

pub use headers::HeaderLookup;
pub use reply::SlashResponse;
pub use request::{BodyError, MAX_BODY_BYTES, SlashRequest, decode_body};
pub use response_url::RESPONSE_URL_HOST;

use reply::{notice, try_again};

/// Every command [`SlashCommands`] answers. The Slack app manifest
/// (`deploy/slack-app-manifest.yaml`) must register each; a test checks it.
pub const KNOWN_COMMANDS: [&str; 8] = [
    "/runner-status",
    "/runner-status-all",
    "/runner-history",
    "/runner-silence",
    "/runner-unsilence",
    "/runner-silences",
    "/runner-ack",
    "/runner-help",
];

/// How long the handler works on an answer before it answers "working on it" instead (Slack
/// gives up after 3 s; the rest is for the network and the host).
pub const DEFAULT_ACK_WITHIN: Duration = Duration::from_millis(2500);

/// How long a delayed answer may take in total before the user is told to try again (Slack
/// accepts delayed responses for 30 minutes; a store this slow is down).
pub const DEFAULT_DELAYED_WITHIN: Duration = Duration::from_secs(25);

/// Timeout of one post to a `response_url`.
const RESPONSE_URL_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a [`SlashCommands`] could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlashConfigError {
    /// An empty signing secret would let anyone sign requests.
    #[error("the Slack signing secret is empty")]
    EmptySigningSecret,
    /// The HTTP client for delayed responses could not be created.
    #[error("cannot create the HTTP client for delayed responses: {0}")]
    Client(String),
}

/// Answers `/runner-status [scope]` (alias `/runner-status-all`), `/runner-history <runner>
/// [scope]` and `/runner-help` from a [`Store`], after verifying Slack's signature.
///
/// # Examples
/// ```
/// # use std::sync::Arc;
/// # use runner_monitor_core::{Scope, testing::at};
/// # use runner_monitor_slack::{SlashCommands, signature::sign};
/// # use secrecy::SecretString;
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let store = Arc::new(runner_monitor_memory::MemoryStore::new());
/// let secret = SecretString::from("signing-secret");
/// let commands = SlashCommands::new(store, vec![Scope::org("acme")], secret.clone())?;
///
/// let body = b"command=%2Frunner-help&text=";
/// let now = at(0);
/// let ts = now.timestamp().to_string();
/// let headers = vec![
///     ("X-Slack-Request-Timestamp".to_owned(), ts.clone()),
///     ("X-Slack-Signature".to_owned(), sign(&secret, &ts, body)),
/// ];
/// let answer = commands.handle(&headers, body, now).await;
/// assert_eq!(answer.status, 200);
/// assert_eq!(answer.body["response_type"], "ephemeral");
/// # Ok::<(), runner_monitor_slack::SlashConfigError>(())
/// # }).unwrap();
/// ```
pub struct SlashCommands {
    answers: Arc<Answers>,
    verifier: SignatureVerifier,
    delayed: Delayed,
    /// What the Acknowledge / Silence buttons do.
    incident: Arc<dyn crate::interactions::IncidentActions>,
    /// Interactions already accepted (a button click must not be replayed).
    replay: crate::interactions::replay::ReplayGuard,
}

/// Bot mode's thread replies: the `slack_bot` sink's name (its receipts find an alert) and its
/// Web API client.
#[derive(Debug, Clone)]
pub(crate) struct Threads {
    pub(crate) sink: String,
    pub(crate) api: Arc<crate::web_api::SlackWebApi>,
}

/// What produces the answers; shared with the background task of a delayed answer.
#[derive(Debug)]
struct Answers {
    store: Arc<dyn Store>,
    scopes: Vec<Scope>,
    /// Silences from the configuration (shown, never removed by a command).
    configured: Vec<Silence>,
    /// Capacity pools from the configuration (shown by `/runner-status` for every scope).
    pools: Vec<Pool>,
    /// Bot mode: where `/runner-ack` and button clicks are told in the alert's thread.
    threads: Option<Threads>,
}

/// The delayed-response machinery: deadlines, the client posting to `response_url`, and the
/// tasks still running.
#[derive(Debug)]
struct Delayed {
    ack_within: Duration,
    delayed_within: Duration,
    allow_loopback: bool,
    client: reqwest::Client,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for SlashCommands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlashCommands")
            .field("store", &self.answers.store)
            .field("scopes", &self.answers.scopes)
            .field("signing_secret", &"[redacted]")
            .field("ack_within", &self.delayed.ack_within)
            .field("delayed_within", &self.delayed.delayed_within)
            .finish()
    }
}

impl SlashCommands {
    /// A handler answering about `scopes` from `store`, verifying requests with the Slack app's
    /// `signing_secret`.
    ///
    /// # Errors
    /// [`SlashConfigError::EmptySigningSecret`] for an empty (or blank) secret;
    /// [`SlashConfigError::Client`] if the HTTP client cannot be created.
    pub fn new(
        store: Arc<dyn Store>,
        scopes: Vec<Scope>,
        signing_secret: SecretString,
    ) -> Result<Self, SlashConfigError> {
        if signing_secret.expose_secret().trim().is_empty() {
            return Err(SlashConfigError::EmptySigningSecret);
        }
        let client = reqwest::Client::builder()
            .timeout(RESPONSE_URL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("runner-monitor-slack/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlashConfigError::Client(error_chain(&e.without_url())))?;
        let incident = Arc::new(crate::interactions::StoreActions::new(
            Arc::clone(&store),
            scopes.clone(),
        ));
        Ok(SlashCommands {
            answers: Arc::new(Answers {
                store,
                scopes,
                configured: Vec::new(),
                pools: Vec::new(),
                threads: None,
            }),
            verifier: SignatureVerifier::new(signing_secret),
            delayed: Delayed {
                ack_within: DEFAULT_ACK_WITHIN,
                delayed_within: DEFAULT_DELAYED_WITHIN,
                allow_loopback: false,
                client,
                tasks: Mutex::new(Vec::new()),
            },
            incident,
            replay: crate::interactions::replay::ReplayGuard::default(),
        })
    }

    /// What the Acknowledge and Silence 1 h buttons do (see
    /// [`handle_interaction`](Self::handle_interaction)); default
    /// [`StoreActions`](crate::interactions::StoreActions) over this handler's store.
    #[must_use]
    pub fn incident_actions(
        mut self,
        actions: Arc<dyn crate::interactions::IncidentActions>,
    ) -> Self {
        self.incident = actions;
        self
    }

    /// Bot mode: acknowledgements and silences from buttons and `/runner-ack` are told in the
    /// thread of the alert, posted through `api` (the client of the `slack_bot` sink named
    /// `sink`, whose receipts say where each alert is). Without it they are told in the channel.
    /// Call before handling requests.
    #[must_use]
    pub fn thread_replies(
        mut self,
        sink: impl Into<String>,
        api: Arc<crate::web_api::SlackWebApi>,
    ) -> Self {
        if let Some(answers) = Arc::get_mut(&mut self.answers) {
            answers.threads = Some(Threads {
                sink: sink.into(),
                api,
            });
        }
        self
    }

    /// How long to work on an answer before answering "working on it" and posting the answer to
    /// `response_url` later (default 2.5 s; Slack waits 3 s).
    #[must_use]
    pub fn ack_within(mut self, deadline: Duration) -> Self {
        self.delayed.ack_within = deadline;
        self
    }

    /// How long a delayed answer may take before the user is told to try again (default 25 s).
    #[must_use]
    pub fn delayed_within(mut self, deadline: Duration) -> Self {
        self.delayed.delayed_within = deadline;
        self
    }

    /// Accepts `response_url`s on loopback hosts too (tests, the demo). Otherwise only
    /// `https://hooks.slack.com/...` is posted to.
    #[must_use]
    pub fn allow_loopback_response_url(mut self, allow: bool) -> Self {
        self.delayed.allow_loopback = allow;
        self
    }

    /// The silences of the configuration (`[[policy.silences]]`), listed by `/runner-silences`
    /// and `/runner-status` beside the ones set from Slack. Call before handling requests.
    #[must_use]
    pub fn configured_silences(mut self, silences: Vec<Silence>) -> Self {
        if let Some(answers) = Arc::get_mut(&mut self.answers) {
            answers.configured = silences;
        }
        self
    }

    /// The capacity pools of the configuration (`[[policy.pools]]`): `/runner-status` without
    /// a scope lists each one's count against its floor, open outage and acknowledgement (one
    /// extra load per pool). Call before handling requests.
    #[must_use]
    pub fn pools(mut self, pools: Vec<Pool>) -> Self {
        if let Some(answers) = Arc::get_mut(&mut self.answers) {
            answers.pools = pools;
        }
        self
    }

    /// The configured scopes.
    pub fn scopes(&self) -> &[Scope] {
        &self.answers.scopes
    }

    /// Delayed answers still being worked on or posted.
    pub fn delayed_in_flight(&self) -> usize {
        let mut tasks = self.delayed.lock_tasks();
        tasks.retain(|task| !task.is_finished());
        tasks.len()
    }

    /// Waits until every delayed answer started so far has been posted (or given up). A host
    /// that freezes between requests (AWS Lambda) calls this after sending its answer.
    pub async fn finish_delayed(&self) {
        loop {
            let tasks = std::mem::take(&mut *self.delayed.lock_tasks());
            if tasks.is_empty() {
                return;
            }
            for task in tasks {
                let _ = task.await;
            }
        }
    }

    /// Handles one request: `headers` as received (any case), `raw_body` exactly as received,
    /// `now` the current time.
    pub async fn handle<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        raw_body: &[u8],
        now: Timestamp,
    ) -> SlashResponse {
        if raw_body.len() > MAX_BODY_BYTES {
            return SlashResponse::rejected(413, "body_too_large");
        }
        if let Err(error) = self.verifier.verify(
            headers.header(TIMESTAMP_HEADER),
            headers.header(SIGNATURE_HEADER),
            raw_body,
            now,
        ) {
            tracing::warn!(reason = error.code(), "slash command request refused");
            return SlashResponse::rejected(error.status(), error.code());
        }
        let Some(request) = SlashRequest::parse(raw_body) else {
            tracing::warn!("signed slash command request without a command");
            return SlashResponse::rejected(400, "malformed_request");
        };
        tracing::info!(
            command = %request.command,
            user = %request.user_id,
            channel = %request.channel_id,
            "slash command"
        );
        self.answer_in_time(request, now).await
    }

    /// The answer if it is ready within `ack_within`; else "working on it", with the answer
    /// posted to `response_url` by a background task when it is ready.
    async fn answer_in_time(&self, request: SlashRequest, now: Timestamp) -> SlashResponse {
        let answers = Arc::clone(&self.answers);
        let response_url = request.response_url.clone();
        let command = request.command.clone();
        let mut work = Box::pin(async move { answers.answer(&request, now).await });
        let deadline = tokio::time::sleep(self.delayed.ack_within);
        tokio::select! {
            message = &mut work => return SlashResponse::message(message),
            () = deadline => {}
        }
        let Some(url) = response_url::validate(&response_url, self.delayed.allow_loopback) else {
            tracing::warn!(
                %command,
                "slash command answer not ready in time, and the request has no usable response_url"
            );
            return SlashResponse::message(notice(
                "Sorry, runner-monitor is slow to read its data just now. Please try again in a \
                 minute.",
            ));
        };
        tracing::info!(%command, "slash command answer not ready in time; it will follow");
        let client = self.delayed.client.clone();
        let delayed_within = self.delayed.delayed_within;
        let task = tokio::spawn(async move {
            let message = match tokio::time::timeout(delayed_within, work).await {
                Ok(message) => message,
                Err(_) => {
                    tracing::warn!(%command, "slash command answer still not ready; giving up");
                    try_again()
                }
            };
            let body = SlashResponse::message(message).body;
            match response_url::post(&client, &url, &body).await {
                Ok(()) => tracing::info!(%command, "delayed slash command answer posted"),
                Err(error) => {
                    tracing::warn!(%command, %error, "delayed slash command answer not posted");
                }
            }
        });
        let mut tasks = self.delayed.lock_tasks();
        tasks.retain(|task| !task.is_finished());
        tasks.push(task);
        SlashResponse::message(working_on_it())
    }

    /// [`handle`](Self::handle) for hosts that receive the body as text and a base64 flag (API
    /// Gateway's `body` and `isBase64Encoded`).
    pub async fn handle_encoded<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &str,
        is_base64_encoded: bool,
        now: Timestamp,
    ) -> SlashResponse {
        match decode_body(body, is_base64_encoded) {
            Ok(raw) => self.handle(headers, &raw, now).await,
            Err(_) => SlashResponse::rejected(400, "malformed_body"),
        }
    }
}

impl Answers {
    async fn answer(&self, request: &SlashRequest, now: Timestamp) -> Message {
        let args: Vec<&str> = request.text.split_whitespace().collect();
        match request.command.as_str() {
            "/runner-status" | "/runner-status-all" => {
                self.status(&request.command, &args, now).await
            }
            "/runner-history" => self.history(&args, now).await,
            "/runner-silence" => {
                silences::silence(self.store.as_ref(), &args, &request.user_id, now).await
            }
            "/runner-unsilence" => {
                silences::unsilence(
                    self.store.as_ref(),
                    &self.configured,
                    &args,
                    &request.user_id,
                    now,
                )
                .await
            }
            "/runner-silences" => silences::list(self.store.as_ref(), &self.configured, now).await,
            "/runner-ack" => {
                silences::ack(
                    self.store.as_ref(),
                    &self.scopes,
                    &args,
                    &request.user_id,
                    now,
                    self.threads.as_ref(),
                )
                .await
            }
            "/runner-help" => help::render(&self.scopes),
            other => notice(format!(
                "runner-monitor does not know `{}`. Try `/runner-help`.",
                escape(other)
            )),
        }
    }

    async fn status(&self, command: &str, args: &[&str], now: Timestamp) -> Message {
        if args.len() > 1 {
            return notice(format!(
                "Usage: `{} [scope]`, e.g. `{} {}`.",
                escape(command),
                escape(command),
                self.scopes
                    .first()
                    .map_or_else(|| "acme/api".to_owned(), |s| escape(&s.to_string()))
            ));
        }
        if args.is_empty() && self.scopes.len() > 1 {
            return self.overview(now).await;
        }
        let example = format!("{command} {{scope}}");
        let scope = match scope_arg::resolve(&self.scopes, args.first().copied(), &example) {
            Ok(scope) => scope,
            Err(message) => return message,
        };
        match self.store.load(&scope).await {
            Ok(state) if args.is_empty() && !self.pools.is_empty() => {
                // The only scope, so every scope: its pools too.
                let message = self.with_silences(status::render(&state, now), &state, now);
                let loaded = [(scope.clone(), Some(state.clone()))];
                let (message, pools) = tokio::join!(message, self.pool_section(&loaded, now));
                match pools {
                    Some(text) => message.block(Block::text(text)),
                    None => message,
                }
            }
            Ok(state) => {
                self.with_silences(status::render(&state, now), &state, now)
                    .await
            }
            Err(error) => store_failed("/runner-status", &scope, &error),
        }
    }

    /// Adds the silences covering `state`'s scope or runners (active or planned) to a status
    /// message. A store that cannot list them leaves the message as it is (logged).
    async fn with_silences(&self, message: Message, state: &ScopeState, now: Timestamp) -> Message {
        let all = match silences::current(self.store.as_ref(), &self.configured, now).await {
            Ok(all) => all,
            Err(error) => {
                tracing::warn!(%error, "cannot list silences for /runner-status");
                return message;
            }
        };
        let covering: Vec<String> =
            all.iter()
                .filter(|s| {
                    s.covers(&state.scope, None)
                        || state.runners.values().any(|r| {
                            s.covers_in(&state.scope, Some(&status::snapshot(r)), &self.pools)
                        })
                })
                .map(|s| silences::line(s, now))
                .collect();
        if covering.is_empty() {
            return message;
        }
        let mut text = format!(":mute: *Silences ({})*", covering.len());
        for line in covering.iter().take(10) {
            text.push('\n');
            text.push_str(line);
        }
        if covering.len() > 10 {
            text.push_str(&format!(
                "\n... and {} more (`/runner-silences`)",
                covering.len() - 10
            ));
        }
        message.block(Block::text(text))
    }

    /// Every scope: one load each (in parallel). A scope that cannot be read is logged and
    /// returned as `None`; `None` overall when no scope could be read.
    async fn load_every_scope(&self, command: &str) -> Option<Vec<overview::Loaded>> {
        let loaded: Vec<overview::Loaded> = load_all::load_all(&self.store, &self.scopes)
            .await
            .into_iter()
            .map(|(scope, result)| match result {
                Ok(state) => (scope, Some(state)),
                Err(error) => {
                    tracing::warn!(command, %scope, %error, "slash command could not read the store");
                    (scope, None)
                }
            })
            .collect();
        loaded
            .iter()
            .any(|(_, state)| state.is_some())
            .then_some(loaded)
    }

    /// `/runner-status` for every scope.
    async fn overview(&self, now: Timestamp) -> Message {
        match self.load_every_scope("/runner-status").await {
            Some(loaded) => {
                let pools = self.pool_section(&loaded, now).await;
                overview::render(&loaded, pools, now)
            }
            None => try_again(),
        }
    }

    /// `/runner-history <runner>` with several scopes: the runner's scope if it is in one, the
    /// candidates if in several, close names if in none. One load per scope, plus one `outages`
    /// when the scope is found.
    async fn history_anywhere(&self, runner: &str, now: Timestamp) -> Message {
        let Some(loaded) = self.load_every_scope("/runner-history").await else {
            return try_again();
        };
        match locate::locate(&loaded, runner) {
            locate::Located::One(state) => {
                match self
                    .store
                    .outages(&state.scope, runner, history::HISTORY_LIMIT)
                    .await
                {
                    Ok(outages) if !outages.is_empty() => {
                        history::render(&state.scope, runner, &outages, now)
                    }
                    Ok(_) => history::not_found(state, runner),
                    Err(error) => store_failed("/runner-history", &state.scope, &error),
                }
            }
            locate::Located::Several(found) => locate::candidates(runner, &found),
            locate::Located::Nowhere => locate::nowhere(runner, &loaded),
        }
    }

    async fn history(&self, args: &[&str], now: Timestamp) -> Message {
        let (runner, scope_arg) = match args {
            [runner] => (*runner, None),
            [a, b]
                if scope_arg::is_scope(&self.scopes, a)
                    && !scope_arg::is_scope(&self.scopes, b) =>
            {
                (*b, Some(*a))
            }
            [runner, scope] => (*runner, Some(*scope)),
            _ => {
                return notice(
                    "Usage: `/runner-history &lt;runner&gt; [scope]`, e.g. `/runner-history build-1`.",
                );
            }
        };
        if scope_arg.is_none() && self.scopes.len() > 1 {
            return self.history_anywhere(runner, now).await;
        }
        let scope = match scope_arg::resolve(
            &self.scopes,
            scope_arg,
            &format!("/runner-history {runner} {{scope}}"),
        ) {
            Ok(scope) => scope,
            Err(message) => return message,
        };
        match self
            .store
            .outages(&scope, runner, history::HISTORY_LIMIT)
            .await
        {
            Ok(outages) if !outages.is_empty() => history::render(&scope, runner, &outages, now),
            Ok(_) => match self.store.load(&scope).await {
                Ok(state) => history::not_found(&state, runner),
                Err(error) => store_failed("/runner-history", &scope, &error),
            },
            Err(error) => store_failed("/runner-history", &scope, &error),
        }
    }
}

impl Delayed {
    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The immediate answer when the real one is late.
fn working_on_it() -> Message {
    notice(
        "Working on it: runner-monitor is reading its data, the answer follows here in a moment.",
    )
}

/// Logs the store error (free of secrets by the store's contract) and tells the user only to try
/// again.
fn store_failed(command: &str, scope: &Scope, error: &StoreError) -> Message {
    tracing::warn!(command, %scope, %error, "slash command could not read the store");
    try_again()
}
