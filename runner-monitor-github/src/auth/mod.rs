//! How requests are authenticated: a token, or a GitHub App installation whose token is minted
//! from a signed JWT and cached.

mod app;
mod app_id;
mod installation_token;
mod jwt;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::SourceError;
use secrecy::{ExposeSecret, SecretString};

use crate::builder::BuildError;
use crate::client::Http;
use crate::clock::Clock;

pub(crate) use app::AppAuth;

/// The credentials a [`GitHubSource`](crate::GitHubSource) uses. `Debug` never shows a secret.
#[derive(Clone)]
pub struct Credentials(Kind);

#[derive(Clone)]
enum Kind {
    Token(SecretString),
    App {
        app_id: String,
        installation_id: u64,
        private_key: SecretString,
    },
}

impl Credentials {
    /// A personal access token (classic or fine-grained), or any other bearer token.
    pub fn token(token: SecretString) -> Self {
        Credentials(Kind::Token(token))
    }

    /// A GitHub App installation: the app's id (numeric id, or its client id `Iv...`), the
    /// installation id, and the app's private key in PEM (`-----BEGIN RSA PRIVATE KEY-----` as
    /// GitHub hands it out, or PKCS#8). Checked when the source is built.
    pub fn app(
        app_id: impl Into<String>,
        installation_id: u64,
        private_key_pem: SecretString,
    ) -> Self {
        Credentials(Kind::App {
            app_id: app_id.into(),
            installation_id,
            private_key: private_key_pem,
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Token(_) => f.debug_tuple("Token").field(&"[redacted]").finish(),
            Kind::App {
                app_id,
                installation_id,
                ..
            } => f
                .debug_struct("App")
                .field("app_id", app_id)
                .field("installation_id", installation_id)
                .field("private_key", &"[redacted]")
                .finish(),
        }
    }
}

/// `Authorization: Bearer <token>`, marked sensitive; `None` unless the token is visible ASCII
/// (GitHub's tokens and JWTs are; a line break, a control character or a pasted typographic
/// quote is a mistake that would only earn 401s).
pub(crate) fn bearer_header(token: &SecretString) -> Option<reqwest::header::HeaderValue> {
    if !token.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let mut value =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The resolved authentication of a source.
#[derive(Debug)]
pub(crate) enum Auth {
    Token(Redacted),
    App(AppAuth),
}

/// A token that prints as `[redacted]`.
pub(crate) struct Redacted(pub(crate) SecretString);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Auth {
    /// Checks the credentials (an App's id and key are validated here, once).
    ///
    /// # Errors
    /// [`BuildError`] naming what is wrong, never quoting the secret.
    pub(crate) fn new(
        credentials: Credentials,
        refresh_margin: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, BuildError> {
        match credentials.0 {
            Kind::Token(token) => {
                if token.expose_secret().trim().is_empty() {
                    return Err(BuildError::EmptyToken);
                }
                // Surrounding whitespace (a trailing newline from a file) is never part of a
                // token; anything else a header cannot carry is refused rather than silently
                // sent without `Authorization`.
                let token = SecretString::from(token.expose_secret().trim().to_owned());
                if bearer_header(&token).is_none() {
                    return Err(BuildError::InvalidToken);
                }
                Ok(Auth::Token(Redacted(token)))
            }
            Kind::App {
                app_id,
                installation_id,
                private_key,
            } => Ok(Auth::App(AppAuth::new(
                &app_id,
                installation_id,
                &private_key,
                refresh_margin,
                clock,
            )?)),
        }
    }

    /// The bearer token for the next request.
    ///
    /// # Errors
    /// Minting an installation token failed.
    pub(crate) async fn bearer(&self, http: &Http) -> Result<SecretString, SourceError> {
        match self {
            Auth::Token(token) => Ok(token.0.clone()),
            Auth::App(app) => app.token(http).await,
        }
    }

    /// GitHub rejected `token` (401): forget it if a new one can be had. Returns whether a
    /// retry with a fresh token makes sense.
    pub(crate) async fn rejected(&self, token: &SecretString) -> bool {
        match self {
            Auth::Token(_) => false,
            Auth::App(app) => {
                app.forget(token).await;
                true
            }
        }
    }

    /// `token` or `app`, for `Debug` and logs.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Auth::Token(_) => "token",
            Auth::App(_) => "app",
        }
    }
}
