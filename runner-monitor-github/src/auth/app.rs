//! GitHub App authentication: the installation token is cached and minted again a margin before
//! it expires; concurrent callers share one refresh.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::EncodingKey;
use runner_monitor_core::SourceError;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;

use super::installation_token::{self, InstallationToken};
use super::{app_id, jwt};
use crate::builder::BuildError;
use crate::client::Http;
use crate::clock::Clock;

/// A GitHub App installation's credentials and its cached token.
pub(crate) struct AppAuth {
    app_id: String,
    issuer: Value,
    installation_id: u64,
    key: EncodingKey,
    refresh_margin: Duration,
    clock: Arc<dyn Clock>,
    /// Held across a refresh: the single flight.
    cached: Mutex<Option<InstallationToken>>,
}

impl fmt::Debug for AppAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuth")
            .field("app_id", &self.app_id)
            .field("installation_id", &self.installation_id)
            .field("private_key", &"[redacted]")
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl AppAuth {
    /// Validates the app id, installation id and key (by signing a JWT once).
    ///
    /// # Errors
    /// Which of the three is wrong, never quoting the key.
    pub(crate) fn new(
        app_id: &str,
        installation_id: u64,
        private_key: &SecretString,
        refresh_margin: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, BuildError> {
        let issuer =
            app_id::issuer(app_id).map_err(|reason| BuildError::InvalidAppId { reason })?;
        if installation_id == 0 {
            return Err(BuildError::InvalidInstallationId);
        }
        let key =
            EncodingKey::from_rsa_pem(private_key.expose_secret().as_bytes()).map_err(|error| {
                BuildError::InvalidPrivateKey {
                    reason: jwt::describe(&error),
                }
            })?;
        jwt::sign(&key, &issuer, clock.now())
            .map_err(|reason| BuildError::InvalidPrivateKey { reason })?;
        Ok(AppAuth {
            app_id: app_id.trim().to_owned(),
            issuer,
            installation_id,
            key,
            refresh_margin,
            clock,
            cached: Mutex::new(None),
        })
    }

    /// A token valid for at least the refresh margin, minting one if needed. Concurrent callers
    /// wait for the one refresh in flight.
    ///
    /// # Errors
    /// Minting failed (rejected JWT, unknown installation, GitHub unavailable, rate limit).
    pub(crate) async fn token(&self, http: &Http) -> Result<SecretString, SourceError> {
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some(current) = cached.as_ref()
            && current.expires_at > now + self.refresh_margin
        {
            return Ok(current.token.clone());
        }
        let jwt = jwt::sign(&self.key, &self.issuer, now).map_err(|reason| {
            SourceError::Unauthorized {
                message: format!("GitHub App {}: cannot sign a JWT: {reason}", self.app_id),
            }
        })?;
        let fresh =
            installation_token::request(http, &jwt, &self.app_id, self.installation_id).await?;
        tracing::debug!(
            app_id = %self.app_id,
            installation_id = self.installation_id,
            "minted a GitHub App installation token"
        );
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `token` if it is the cached one (GitHub rejected it before its time).
    pub(crate) async fn forget(&self, token: &SecretString) {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|current| current.token.expose_secret() == token.expose_secret())
        {
            *cached = None;
        }
    }
}
