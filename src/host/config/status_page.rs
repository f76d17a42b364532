//! `[status_page]`: the status page (`/`) and its JSON API (`/api/v1/...`) on the `[http]`
//! listener.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::SecretRef;

/// `[status_page]`: the HTML status page and the JSON API, on the same listener as `/healthz`.
///
/// ```toml
/// [status_page]
/// refresh = "60s"                        # the page reloads itself this often
/// bearer_token = "env:STATUS_TOKEN"      # or: username = "ops", password = "env:STATUS_PASSWORD"
/// ```
///
/// Without credentials the page is open to whoever reaches the listener (the default listener is
/// loopback only). With them, every page and API request needs them (401 otherwise);
/// `/healthz` and `/metrics` stay open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusPageConfig {
    /// Serve `/`, `/runner` and `/api/v1/*` at all. Default true.
    pub enabled: bool,
    /// The page reloads itself this often (`<meta http-equiv="refresh">`). Default 60 s.
    #[serde(with = "humantime_serde")]
    pub refresh: Duration,
    /// Require `Authorization: Bearer <token>` with this token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<SecretRef>,
    /// Require HTTP basic auth with this user name (and `password`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The basic-auth password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
}

impl Default for StatusPageConfig {
    fn default() -> Self {
        StatusPageConfig {
            enabled: true,
            refresh: Duration::from_secs(60),
            bearer_token: None,
            username: None,
            password: None,
        }
    }
}

impl StatusPageConfig {
    /// The first problem: `(key, message)`.
    pub(crate) fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.refresh < Duration::from_secs(1) {
            return Some(("status_page.refresh", "must be at least 1s"));
        }
        if self.bearer_token.is_some() && (self.username.is_some() || self.password.is_some()) {
            return Some((
                "status_page.bearer_token",
                "configure either bearer_token or username and password, not both",
            ));
        }
        match (&self.username, &self.password) {
            (Some(_), None) => Some(("status_page.password", "username needs a password")),
            (None, Some(_)) => Some(("status_page.username", "password needs a username")),
            (Some(user), Some(_)) if user.trim().is_empty() || user.contains(':') => Some((
                "status_page.username",
                "must be non-empty and contain no `:` (HTTP basic auth)",
            )),
            _ => None,
        }
    }
}
