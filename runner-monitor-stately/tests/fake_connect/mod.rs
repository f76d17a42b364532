//! Small purpose-built Connect servers on 127.0.0.1:0 (h2c and HTTP/1.1) for transport tests:
//! helpers to build answers the way StatelyDB does, and to read what the client sent.
#![allow(dead_code)]

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use bytes::{Buf, Bytes};
use prost::Message;
use runner_monitor_stately::proto::errors::StatelyErrorDetails;
use runner_monitor_stately::{Credentials, RetryPolicy, StatelyClient, StatelyConfig};

/// Serves `router` on 127.0.0.1:0; returns its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A config for `endpoint` with fast retries (1-5 ms, 4 attempts).
pub fn config(endpoint: &str, credentials: Credentials) -> StatelyConfig {
    StatelyConfig::new(77)
        .endpoint(endpoint)
        .schema(99, 3)
        .credentials(credentials)
        .retry(RetryPolicy {
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_attempts: 4,
            max_elapsed: Duration::from_secs(2),
        })
}

/// A client for `endpoint` without auth.
pub fn client(endpoint: &str) -> StatelyClient {
    StatelyClient::new(&config(endpoint, Credentials::None)).expect("client")
}

/// A unary success: 200 `application/proto` with the bare message.
pub fn unary_ok<M: Message>(message: &M) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/proto")
        .body(Body::from(message.encode_to_vec()))
        .expect("response")
}

/// The JSON error body Connect sends, with `StatelyErrorDetails` when `stately_code` is given.
pub fn error_json(code: &str, message: &str, stately_code: Option<&str>) -> String {
    let details = stately_code.map(|stately| {
        let bytes = StatelyErrorDetails {
            stately_code: stately.to_owned(),
            message: message.to_owned(),
            upstream_cause: String::new(),
            code: 0,
        }
        .encode_to_vec();
        serde_json::json!([{
            "type": "stately.errors.StatelyErrorDetails",
            "value": STANDARD_NO_PAD.encode(bytes),
        }])
    });
    let mut error = serde_json::json!({ "code": code, "message": message });
    if let Some(details) = details {
        error["details"] = details;
    }
    error.to_string()
}

/// A unary error: HTTP `status` with Connect's JSON body.
pub fn unary_error(status: u16, code: &str, message: &str, stately: Option<&str>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(error_json(code, message, stately)))
        .expect("response")
}

/// One envelope.
pub fn envelope(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&u32::try_from(payload.len()).expect("small").to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A streaming success: the messages, then end-of-stream `{}`.
pub fn stream_ok<M: Message>(messages: &[M]) -> Response {
    let mut body = Vec::new();
    for message in messages {
        body.extend(envelope(0, &message.encode_to_vec()));
    }
    body.extend(envelope(2, b"{}"));
    stream_body(body)
}

/// A streaming failure: the messages, then end-of-stream with an error.
pub fn stream_error<M: Message>(
    messages: &[M],
    code: &str,
    message: &str,
    stately: Option<&str>,
) -> Response {
    let mut body = Vec::new();
    for m in messages {
        body.extend(envelope(0, &m.encode_to_vec()));
    }
    let end = format!("{{\"error\":{}}}", error_json(code, message, stately));
    body.extend(envelope(2, end.as_bytes()));
    stream_body(body)
}

/// A 200 `application/connect+proto` response with this raw body.
pub fn stream_body(body: Vec<u8>) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/connect+proto")
        .body(Body::from(body))
        .expect("response")
}

/// Splits a request body into envelope payloads.
pub fn envelopes(mut body: Bytes) -> Vec<(u8, Bytes)> {
    let mut out = Vec::new();
    while body.len() >= 5 {
        let flags = body.get_u8();
        let len = body.get_u32() as usize;
        out.push((flags, body.split_to(len)));
    }
    assert!(body.is_empty(), "trailing bytes in the request body");
    out
}

/// Decodes the single envelope of a server-stream request.
pub fn stream_request<M: Message + Default>(body: Bytes) -> M {
    let envelopes = envelopes(body);
    assert_eq!(
        envelopes.len(),
        1,
        "a server-stream request is one envelope"
    );
    assert_eq!(envelopes[0].0, 0, "no flags on the request envelope");
    M::decode(envelopes[0].1.clone()).expect("request message")
}
