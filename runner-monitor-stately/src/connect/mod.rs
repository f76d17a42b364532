//! The Connect protocol over reqwest: binary protobuf unary calls, server streams and
//! bidirectional streams over HTTP/2 (TLS with ALPN for `https`, h2c prior knowledge for `http`).

pub(crate) mod bidi;
pub mod envelope;
pub mod errors;
pub(crate) mod stream;
pub(crate) mod unary;

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::error::ClientError;

/// `Content-Type` of unary calls.
pub const UNARY_CONTENT_TYPE: &str = "application/proto";
/// `Content-Type` of streaming calls.
pub const STREAM_CONTENT_TYPE: &str = "application/connect+proto";

/// Builds the HTTP client for `endpoint`: h2c with prior knowledge for `http://`, TLS (rustls)
/// with ALPN for `https://`.
///
/// # Errors
/// [`ClientError::Config`] for an endpoint that is neither.
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
    let builder = if endpoint.starts_with("http://") {
        builder.http2_prior_knowledge()
    } else if endpoint.starts_with("https://") {
        builder.https_only(true)
    } else {
        return Err(ClientError::Config(format!(
            "endpoint `{endpoint}` must start with http:// or https://"
        )));
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
