//! [`SsmClient`]: AWS SSM Parameter Store through the AWS Parameters and Secrets Lambda
//! Extension's local HTTP endpoint (no AWS SDK, no request signing: the extension does that).
//!
//! `GET http://localhost:2773/systemsmanager/parameters/get?name=NAME&withDecryption=true` with
//! header `X-Aws-Parameters-Secrets-Token: $AWS_SESSION_TOKEN`; the answer is
//! `{"Parameter": {"Name": ..., "Value": ..., ...}}`.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The header the extension requires, carrying the function's `AWS_SESSION_TOKEN`.
pub const TOKEN_HEADER: &str = "X-Aws-Parameters-Secrets-Token";
/// The extension's default port.
pub const DEFAULT_PORT: u16 = 2773;
/// The environment variable that changes the port (the extension reads it too).
pub const PORT_ENV: &str = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT";

/// Why a parameter could not be read. Never carries a parameter's value or the session token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SsmError {
    /// The parameter does not exist (or the function may not read it).
    #[error("SSM parameter `{name}` was not found")]
    NotFound {
        /// The parameter name.
        name: String,
    },
    /// The extension answered with an error status.
    #[error("the Parameters and Secrets extension answered HTTP {status} for `{name}`{hint}")]
    Status {
        /// The parameter name.
        name: String,
        /// The HTTP status.
        status: u16,
        /// What the status usually means.
        hint: &'static str,
    },
    /// The extension could not be reached (not installed as a layer, not ready).
    #[error(
        "cannot reach the Parameters and Secrets extension at {base_url} for `{name}`: {reason} \
         (is the AWS-Parameters-and-Secrets-Lambda-Extension layer attached?)"
    )]
    Unreachable {
        /// The parameter name.
        name: String,
        /// The extension's URL.
        base_url: String,
        /// Why.
        reason: String,
    },
    /// The answer was not the expected JSON.
    #[error("unexpected answer from the Parameters and Secrets extension for `{name}`: {reason}")]
    Malformed {
        /// The parameter name.
        name: String,
        /// What was wrong.
        reason: String,
    },
    /// The client could not be created.
    #[error("cannot create the SSM extension client: {0}")]
    Client(String),
}

/// Reads SSM parameters through the extension. Cheap to clone.
#[derive(Clone)]
pub struct SsmClient {
    http: reqwest::Client,
    base_url: String,
    session_token: SecretString,
    attempts: u32,
}

impl std::fmt::Debug for SsmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsmClient")
            .field("base_url", &self.base_url)
            .field("session_token", &"[redacted]")
            .finish()
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Parameter")]
    parameter: Parameter,
}

#[derive(Deserialize)]
struct Parameter {
    #[serde(rename = "Value")]
    value: String,
}

impl SsmClient {
    /// A client for the extension at `base_url` (e.g. `http://localhost:2773`, or a test fake).
    ///
    /// # Errors
    /// [`SsmError::Client`] if the HTTP client cannot be created.
    pub fn new(base_url: impl Into<String>, session_token: SecretString) -> Result<Self, SsmError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| SsmError::Client(e.to_string()))?;
        Ok(SsmClient {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            session_token,
            attempts: 4,
        })
    }

    /// The client a Lambda function gets from its environment: `AWS_SESSION_TOKEN` and
    /// [`PORT_ENV`] (default 2773). `None` outside Lambda (no session token).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<Result<Self, SsmError>> {
        let token = var("AWS_SESSION_TOKEN").filter(|t| !t.is_empty())?;
        let port = var(PORT_ENV)
            .and_then(|p| p.trim().parse::<u16>().ok())
            .unwrap_or(DEFAULT_PORT);
        Some(SsmClient::new(
            format!("http://localhost:{port}"),
            SecretString::from(token),
        ))
    }

    /// The extension's URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Reads parameter `name`, decrypted. Connection failures (the extension starting) are
    /// retried briefly.
    ///
    /// # Errors
    /// An [`SsmError`]; [`SsmError::NotFound`] for a missing parameter.
    pub async fn get(&self, name: &str) -> Result<SecretString, SsmError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.get_once(name).await {
                Err(SsmError::Unreachable { .. }) if attempt < self.attempts => {
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                }
                Err(SsmError::Status { status, .. })
                    if status >= 500 && attempt < self.attempts =>
                {
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                }
                other => return other,
            }
        }
    }

    /// [`get`](Self::get), with a missing parameter as `None`.
    ///
    /// # Errors
    /// As for [`get`](Self::get), except [`SsmError::NotFound`].
    pub async fn get_optional(&self, name: &str) -> Result<Option<SecretString>, SsmError> {
        match self.get(name).await {
            Ok(value) => Ok(Some(value)),
            Err(SsmError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn get_once(&self, name: &str) -> Result<SecretString, SsmError> {
        let url = format!("{}/systemsmanager/parameters/get", self.base_url);
        let response = self
            .http
            .get(url)
            .query(&[("name", name), ("withDecryption", "true")])
            .header(TOKEN_HEADER, self.session_token.expose_secret())
            .send()
            .await
            .map_err(|error| SsmError::Unreachable {
                name: name.to_owned(),
                base_url: self.base_url.clone(),
                reason: describe(&error),
            })?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.text().await.unwrap_or_default();
            if status == 404 || body.contains("ParameterNotFound") {
                return Err(SsmError::NotFound {
                    name: name.to_owned(),
                });
            }
            return Err(SsmError::Status {
                name: name.to_owned(),
                status,
                hint: match status {
                    400 => " (bad request: is the parameter name valid?)",
                    401 | 403 => {
                        " (not allowed: does the function's role grant ssm:GetParameter and, \
                         for SecureStrings, kms:Decrypt?)"
                    }
                    _ => "",
                },
            });
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|error| SsmError::Unreachable {
                name: name.to_owned(),
                base_url: self.base_url.clone(),
                reason: describe(&error),
            })?;
        let answer: Answer =
            serde_json::from_slice(&bytes).map_err(|error| SsmError::Malformed {
                name: name.to_owned(),
                // serde_json's message names the position and expectation, not the data.
                reason: format!(
                    "expected {{\"Parameter\": {{\"Value\": ...}}}} ({})",
                    error.classify_text()
                ),
            })?;
        Ok(SecretString::from(answer.parameter.value))
    }
}

trait ClassifyText {
    fn classify_text(&self) -> &'static str;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "missing or mistyped fields",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// A reqwest error without its URL (which is harmless here, but keep errors uniform).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
