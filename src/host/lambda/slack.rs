//! [`SlackFunction`]: the API Gateway Lambda answering Slack slash commands. Takes an HTTP API
//! (payload 2.0) or REST API proxy (1.0) event, passes headers and the raw (possibly base64)
//! body to the slash-command handler, answers in the same format.
//!
//! Slack's 3-second rule: when the store is slow the handler answers "working on it" and posts the
//! answer to `response_url` from a background task. Lambda freezes the container once the
//! runtime asks for the next event, so [`FinishDelayedLayer`] (used by `examples/lambda_slack.rs`)
//! waits for those tasks after the answer has been sent and before the next event is fetched.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyResponse, ApiGatewayV2httpRequest,
    ApiGatewayV2httpResponse,
};
use aws_lambda_events::encodings::Body;
use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderValue};
use runner_monitor_slack::{SlashCommands, SlashResponse};
use serde_json::Value;

use super::config::{InitError, load};
use crate::host::build::{build_slash_commands, build_store};
use crate::host::config::Config;
use crate::host::secrets::SecretResolver;

/// The slash-command function: store and handler built once per container.
#[derive(Debug, Clone)]
pub struct SlackFunction {
    commands: Arc<SlashCommands>,
}

impl SlackFunction {
    /// Builds the function from the process environment (and SSM through the extension).
    ///
    /// # Errors
    /// An [`InitError`].
    pub async fn from_env() -> Result<Self, InitError> {
        let secrets = SecretResolver::from_process()?;
        let config = load(std::env::vars().collect(), &secrets).await?;
        SlackFunction::new(&config, &secrets).await
    }

    /// Builds the function: the store and `[slash_commands]` only (no GitHub token needed).
    ///
    /// # Errors
    /// An [`InitError::Build`].
    pub async fn new(config: &Config, secrets: &SecretResolver) -> Result<Self, InitError> {
        let store = build_store(config, secrets).await?;
        let commands = build_slash_commands(config, store, secrets).await?;
        Ok(SlackFunction { commands })
    }

    /// A function around an already built handler (tests, custom wiring).
    pub fn from_commands(commands: Arc<SlashCommands>) -> Self {
        SlackFunction { commands }
    }

    /// Waits for the delayed answers (posts to `response_url`) still running; see
    /// [`FinishDelayedLayer`].
    pub async fn finish_delayed(&self) {
        self.commands.finish_delayed().await;
    }

    /// Answers one API Gateway event (HTTP API 2.0 or REST proxy 1.0) with a response of the same
    /// format. A malformed event gets a 400 response, never a failed invocation.
    pub async fn handle(&self, event: Value) -> Value {
        let now = chrono::Utc::now();
        if event.get("version").and_then(Value::as_str) == Some("2.0") {
            let answer = match serde_json::from_value::<ApiGatewayV2httpRequest>(event) {
                Ok(request) => {
                    self.answer(
                        request.raw_path.as_deref(),
                        &request.headers,
                        request.body.as_deref(),
                        request.is_base64_encoded,
                        now,
                    )
                    .await
                }
                Err(_) => SlashResponse::rejected(400, "malformed_event"),
            };
            let mut response = ApiGatewayV2httpResponse::default();
            response.status_code = i64::from(answer.status);
            response.headers = json_headers();
            response.body = Some(Body::Text(answer.body.to_string()));
            response.is_base64_encoded = false;
            serde_json::to_value(response).unwrap_or(Value::Null)
        } else {
            let answer = match serde_json::from_value::<ApiGatewayProxyRequest>(event) {
                Ok(request) => {
                    self.answer(
                        request.path.as_deref(),
                        &request.headers,
                        request.body.as_deref(),
                        request.is_base64_encoded,
                        now,
                    )
                    .await
                }
                Err(_) => SlashResponse::rejected(400, "malformed_event"),
            };
            let mut response = ApiGatewayProxyResponse::default();
            response.status_code = i64::from(answer.status);
            response.headers = json_headers();
            response.body = Some(Body::Text(answer.body.to_string()));
            response.is_base64_encoded = false;
            serde_json::to_value(response).unwrap_or(Value::Null)
        }
    }

    /// A path ending in `/slack/interactions` is a button click; anything else a slash command.
    async fn answer(
        &self,
        path: Option<&str>,
        headers: &HeaderMap,
        body: Option<&str>,
        is_base64_encoded: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> SlashResponse {
        let body = body.unwrap_or_default();
        if path.is_some_and(|p| p.trim_end_matches('/').ends_with("/slack/interactions")) {
            return self
                .commands
                .handle_interaction_encoded(headers, body, is_base64_encoded, now)
                .await;
        }
        self.commands
            .handle_encoded(headers, body, is_base64_encoded, now)
            .await
    }
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}

/// A `lambda_runtime` layer that, after each invocation's answer has been sent, waits for the
/// [`SlackFunction`]'s delayed answers before the runtime fetches the next event (after which
/// Lambda may freeze the container mid-post).
///
/// ```no_run
/// # async fn run(function: runner_monitor::host::lambda::SlackFunction) -> Result<(), lambda_runtime::Error> {
/// use lambda_runtime::{LambdaEvent, Runtime, service_fn};
/// use runner_monitor::host::lambda::FinishDelayedLayer;
/// let handler = function.clone();
/// Runtime::new(service_fn(move |event: LambdaEvent<serde_json::Value>| {
///     let handler = handler.clone();
///     async move { Ok::<_, lambda_runtime::Error>(handler.handle(event.payload).await) }
/// }))
/// .layer(FinishDelayedLayer::new(function))
/// .run()
/// .await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FinishDelayedLayer {
    function: SlackFunction,
}

impl FinishDelayedLayer {
    /// Waits for `function`'s delayed answers after every invocation.
    pub fn new(function: SlackFunction) -> Self {
        FinishDelayedLayer { function }
    }
}

impl<S> lambda_runtime::tower::Layer<S> for FinishDelayedLayer {
    type Service = FinishDelayed<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FinishDelayed {
            inner,
            function: self.function.clone(),
        }
    }
}

/// The service of [`FinishDelayedLayer`].
#[derive(Debug, Clone)]
pub struct FinishDelayed<S> {
    inner: S,
    function: SlackFunction,
}

impl<S, R> lambda_runtime::tower::Service<R> for FinishDelayed<S>
where
    S: lambda_runtime::tower::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send,
    S::Error: Send,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // The inner service sends the answer to the Runtime API before it completes.
        let answered = self.inner.call(request);
        let function = self.function.clone();
        Box::pin(async move {
            let result = answered.await;
            function.finish_delayed().await;
            result
        })
    }
}
