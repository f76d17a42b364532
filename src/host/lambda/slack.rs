//! [`SlackFunction`]: the API Gateway Lambda answering Slack slash commands. Takes an HTTP API
//! (payload 2.0) or REST API proxy (1.0) event, passes headers and the raw (possibly base64)
//! body to the slash-command handler, answers in the same format.

use std::sync::Arc;

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

    /// Answers one API Gateway event (HTTP API 2.0 or REST proxy 1.0) with a response of the same
    /// format. A malformed event gets a 400 response, never a failed invocation.
    pub async fn handle(&self, event: Value) -> Value {
        let now = chrono::Utc::now();
        if event.get("version").and_then(Value::as_str) == Some("2.0") {
            let answer = match serde_json::from_value::<ApiGatewayV2httpRequest>(event) {
                Ok(request) => {
                    self.answer(
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

    async fn answer(
        &self,
        headers: &HeaderMap,
        body: Option<&str>,
        is_base64_encoded: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> SlashResponse {
        self.commands
            .handle_encoded(headers, body.unwrap_or_default(), is_base64_encoded, now)
            .await
    }
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}
