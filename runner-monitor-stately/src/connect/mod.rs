//! The Connect protocol over reqwest: binary protobuf unary calls, server streams and
//! bidirectional streams over HTTP/2 (TLS with ALPN for `https`, h2c prior knowledge for `http`).

pub(crate) mod bidi;
pub mod envelope;
pub mod errors;
pub(crate) mod stream;
pub(crate) mod unary;

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use runner_monitor_http::{UrlRules, check_url};

use crate::error::ClientError;

/// `Content-Type` of unary calls.
pub const UNARY_CONTENT_TYPE: &str = "application/proto";
/// `Content-Type` of streaming calls.
pub const STREAM_CONTENT_TYPE: &str = "application/connect+proto";

/// Builds the HTTP client for `endpoint`: h2c with prior knowledge for `http://` (allowed for a
/// loopback host only: a local emulator or data plane, by the workspace's one URL rule), TLS
/// (rustls) with ALPN for `https://`.
///
/// # Errors
/// [`ClientError::Config`] for any other endpoint (plain http to a remote host, another scheme,
/// a query or user info).
pub(crate) fn http_client(
    endpoint: &str,
    user_agent: &str,
) -> Result<reqwest::Client, ClientError> {
    let builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(Duration::from_secs(10))
        .http2_keep_alive_interval(Duration::from_secs(30))
        .http2_keep_alive_while_idle(true)
        .pool_idle_timeout(Duration::from_secs(90));
    let url = check_url(endpoint, UrlRules::BASE)
        .map_err(|error| ClientError::Config(format!("invalid StatelyDB endpoint: {error}")))?;
    let builder = if url.scheme() == "http" {
        builder.http2_prior_knowledge()
    } else {
        builder.https_only(true)
    };
    builder
        .build()
        .map_err(|e| ClientError::Config(format!("cannot build the HTTP client: {e}")))
}

fn with_content_type(mut headers: HeaderMap, content_type: &'static str) -> HeaderMap {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("connect-protocol-version", HeaderValue::from_static("1"));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_endpoints_are_for_loopback_only() {
        for ok in [
            "http://127.0.0.1:9",
            "http://localhost:9",
            "https://api.stately.cloud",
        ] {
            assert!(http_client(ok, "ua").is_ok(), "{ok}");
        }
        for bad in [
            "http://api.stately.cloud",
            "ftp://x",
            "https://k:secret@x.example",
        ] {
            let error = http_client(bad, "ua")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                error.contains("invalid StatelyDB endpoint"),
                "{bad}: {error}"
            );
            assert!(!error.contains("secret"), "{error}");
        }
    }
}
