//! [`SlashCommands`]: the transport-agnostic slash-command handler.
//!
//! `(headers, raw body, now) -> (status, JSON body)`. A host (the daemon's axum route, an API
//! Gateway Lambda) passes what it received and sends back what it gets. The signature is checked
//! on the raw bytes before anything is parsed; a forged, stale or malformed request is refused
//! with 400/401 without touching the store. Every command reads the store once (`/runner-history`
//! reads the scope a second time only to suggest names for a runner it did not find).

mod headers;
mod help;
mod history;
mod reply;
mod request;
mod scope_arg;
mod status;
mod suggest;

use std::sync::Arc;

use runner_monitor_core::{Scope, Store, StoreError, Timestamp};
use secrecy::{ExposeSecret, SecretString};

use crate::blocks::{Message, escape};
use crate::signature::{SIGNATURE_HEADER, SignatureVerifier, TIMESTAMP_HEADER};

pub use headers::HeaderLookup;
pub use reply::SlashResponse;
pub use request::{BodyError, MAX_BODY_BYTES, SlashRequest, decode_body};

use reply::{notice, try_again};

/// Why a [`SlashCommands`] could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlashConfigError {
    /// An empty signing secret would let anyone sign requests.
    #[error("the Slack signing secret is empty")]
    EmptySigningSecret,
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
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
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
    store: Arc<dyn Store>,
    scopes: Vec<Scope>,
    verifier: SignatureVerifier,
}

impl std::fmt::Debug for SlashCommands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlashCommands")
            .field("store", &self.store)
            .field("scopes", &self.scopes)
            .field("signing_secret", &"[redacted]")
            .finish()
    }
}

impl SlashCommands {
    /// A handler answering about `scopes` from `store`, verifying requests with the Slack app's
    /// `signing_secret`.
    ///
    /// # Errors
    /// [`SlashConfigError::EmptySigningSecret`] for an empty (or blank) secret.
    pub fn new(
        store: Arc<dyn Store>,
        scopes: Vec<Scope>,
        signing_secret: SecretString,
    ) -> Result<Self, SlashConfigError> {
        if signing_secret.expose_secret().trim().is_empty() {
            return Err(SlashConfigError::EmptySigningSecret);
        }
        Ok(SlashCommands {
            store,
            scopes,
            verifier: SignatureVerifier::new(signing_secret),
        })
    }

    /// The configured scopes.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
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
        SlashResponse::message(self.answer(&request, now).await)
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

    async fn answer(&self, request: &SlashRequest, now: Timestamp) -> Message {
        let args: Vec<&str> = request.text.split_whitespace().collect();
        match request.command.as_str() {
            "/runner-status" | "/runner-status-all" => {
                self.status(&request.command, &args, now).await
            }
            "/runner-history" => self.history(&args, now).await,
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
        let example = format!("{command} {{scope}}");
        let scope = match scope_arg::resolve(&self.scopes, args.first().copied(), &example) {
            Ok(scope) => scope,
            Err(message) => return message,
        };
        match self.store.load(&scope).await {
            Ok(state) => status::render(&state, now),
            Err(error) => store_failed("/runner-status", &scope, &error),
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

/// Logs the store error (free of secrets by the store's contract) and tells the user only to try
/// again.
fn store_failed(command: &str, scope: &Scope, error: &StoreError) -> Message {
    tracing::warn!(command, %scope, %error, "slash command could not read the store");
    try_again()
}
