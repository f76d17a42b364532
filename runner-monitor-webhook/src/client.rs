//! The HTTP client both notifiers use unless given their own.

use crate::ConfigError;

/// `runner-monitor/<version>`.
pub(crate) const USER_AGENT: &str = concat!("runner-monitor/", env!("CARGO_PKG_VERSION"));

/// A reqwest client with rustls, a `runner-monitor` user agent and redirects disabled: a POST
/// must reach the configured URL itself, and a redirect would carry signed headers elsewhere.
///
/// # Errors
/// [`ConfigError::Client`] when the TLS backend cannot be initialised.
pub(crate) fn default_client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConfigError::Client(e.without_url().to_string()))
}
