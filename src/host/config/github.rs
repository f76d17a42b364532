//! `[github]`: the scopes watched and how to reach GitHub.

use std::time::Duration;

use runner_monitor_core::Scope;
use serde::{Deserialize, Serialize};

use super::SecretRef;
use super::serde_helpers;

/// The token reference used when `[github]` names neither a token nor an App.
pub const DEFAULT_TOKEN_ENV: &str = "GITHUB_TOKEN";

/// `[github]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitHubConfig {
    /// API root: `https://api.github.com` (default) or `https://HOST/api/v3` for GitHub Enterprise
    /// Server.
    pub api_url: String,
    /// Scopes to watch: `owner/name` (repository), `org:NAME`, `enterprise:SLUG`. A list or one
    /// comma-separated string.
    #[serde(with = "serde_helpers::scopes")]
    pub scopes: Vec<Scope>,
    /// A personal access token (or any bearer token). Default `env:GITHUB_TOKEN` when no `app` is
    /// configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<SecretRef>,
    /// A GitHub App installation instead of a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<GitHubAppConfig>,
    /// Timeout of one HTTP request. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Timeout of a whole listing of one scope, every page included. Default 120 s.
    #[serde(with = "humantime_serde")]
    pub overall_timeout: Duration,
    /// Requests in flight to GitHub at once. Default 4.
    pub max_concurrent_requests: usize,
}

impl Default for GitHubConfig {
    fn default() -> Self {
        GitHubConfig {
            api_url: runner_monitor_github::DEFAULT_BASE_URL.to_owned(),
            scopes: Vec::new(),
            token: None,
            app: None,
            request_timeout: runner_monitor_github::Defaults::REQUEST_TIMEOUT,
            overall_timeout: runner_monitor_github::Defaults::OVERALL_TIMEOUT,
            max_concurrent_requests: runner_monitor_github::Defaults::MAX_CONCURRENT_REQUESTS,
        }
    }
}

/// `[github.app]`: a GitHub App installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubAppConfig {
    /// The App's numeric id or client id (`Iv1.…`).
    #[serde(deserialize_with = "serde_helpers::string_or_number::deserialize")]
    pub id: String,
    /// The installation id.
    #[serde(deserialize_with = "serde_helpers::number_or_string::deserialize")]
    pub installation_id: u64,
    /// The App's private key (PEM).
    pub private_key: SecretRef,
}

impl GitHubConfig {
    /// The token reference in force when no App is configured.
    pub fn token_ref(&self) -> SecretRef {
        self.token
            .clone()
            .unwrap_or_else(|| SecretRef::env(DEFAULT_TOKEN_ENV))
    }
}
