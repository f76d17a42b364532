//! Forged, stale and malformed requests are refused with 400/401 before the store is touched;
//! headers match in any case; API Gateway's base64 bodies work.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use runner_monitor_core::Scope;
use runner_monitor_core::testing::CountingStore;
use runner_monitor_slack::commands::MAX_BODY_BYTES;
use runner_monitor_slack::signature::sign;
use runner_monitor_slack::{SlashCommands, SlashConfigError};
use secrecy::SecretString;

use common::slash::*;

fn handler() -> (SlashCommands, Arc<CountingStore>) {
    // The failing store also proves nothing reads it: any read would fail loudly in the answer.
    commands(Arc::new(FailingStore), vec![Scope::repo("acme", "api")])
}

type Headers = Vec<(String, String)>;

/// name, headers, body, expected status, expected error code
type Case<'a> = (&'a str, Headers, Vec<u8>, u16, &'a str);

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[tokio::test]
async fn every_signature_failure_is_refused_without_touching_the_store() {
    let (commands, counts) = handler();
    let body = body("/runner-status", "");
    let now = now();
    let ts = now.timestamp().to_string();
    let good = sign(&secret(), &ts, &body);
    let old = (now.timestamp() - 301).to_string();
    let future = (now.timestamp() + 301).to_string();
    let wrong_secret = sign(&SecretString::from("another-secret"), &ts, &body);
    let cases: Vec<Case<'_>> = vec![
        ("no headers", vec![], body.clone(), 401, "missing_timestamp"),
        (
            "no signature",
            vec![header("X-Slack-Request-Timestamp", &ts)],
            body.clone(),
            401,
            "missing_signature",
        ),
        (
            "no timestamp",
            vec![header("X-Slack-Signature", &good)],
            body.clone(),
            401,
            "missing_timestamp",
        ),
        (
            "timestamp not a number",
            vec![
                header("X-Slack-Request-Timestamp", "yesterday"),
                header("X-Slack-Signature", &good),
            ],
            body.clone(),
            400,
            "malformed_timestamp",
        ),
        (
            "replayed: 301 s old",
            vec![
                header("X-Slack-Request-Timestamp", &old),
                header("X-Slack-Signature", &sign(&secret(), &old, &body)),
            ],
            body.clone(),
            401,
            "stale_request",
        ),
        (
            "301 s in the future",
            vec![
                header("X-Slack-Request-Timestamp", &future),
                header("X-Slack-Signature", &sign(&secret(), &future, &body)),
            ],
            body.clone(),
            401,
            "stale_request",
        ),
        (
            "signed with another secret",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", &wrong_secret),
            ],
            body.clone(),
            401,
            "invalid_signature",
        ),
        (
            "body tampered after signing",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", &good),
            ],
            common::slash::body("/runner-history", "build-1"),
            401,
            "invalid_signature",
        ),
        (
            "timestamp changed after signing",
            vec![
                header(
                    "X-Slack-Request-Timestamp",
                    &(now.timestamp() - 1).to_string(),
                ),
                header("X-Slack-Signature", &good),
            ],
            body.clone(),
            401,
            "invalid_signature",
        ),
        (
            "unknown signature version",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", &good.replacen("v0=", "v1=", 1)),
            ],
            body.clone(),
            401,
            "malformed_signature",
        ),
        (
            "signature not hex",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", "v0=zz-not-hex"),
            ],
            body.clone(),
            401,
            "malformed_signature",
        ),
        (
            "truncated signature",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", &good[..good.len() - 2]),
            ],
            body.clone(),
            401,
            "invalid_signature",
        ),
        (
            "body re-encoded (same form fields, other bytes)",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", &good),
            ],
            String::from_utf8_lossy(&body)
                .replace('+', "%20")
                .replace("%2F", "/")
                .into_bytes(),
            401,
            "invalid_signature",
        ),
        (
            "empty signature",
            vec![
                header("X-Slack-Request-Timestamp", &ts),
                header("X-Slack-Signature", ""),
            ],
            body.clone(),
            401,
            "malformed_signature",
        ),
    ];
    for (name, headers, body, status, code) in cases {
        let response = commands.handle(&headers, &body, now).await;
        assert_eq!(response.status, status, "{name}: {:?}", response.body);
        assert_eq!(response.body["error"], code, "{name}");
    }
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn signed_but_malformed_bodies_are_400() {
    let (commands, counts) = handler();
    for body in [&b"text=hello"[..], b"", b"\xff\xfe"] {
        let response = commands.handle(&signed(body, now()), body, now()).await;
        assert_eq!(response.status, 400, "{body:?}");
        assert_eq!(response.body["error"], "malformed_request");
    }
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_hashing() {
    let (commands, counts) = handler();
    let body = vec![b'a'; MAX_BODY_BYTES + 1];
    let response = commands.handle(&signed(&body, now()), &body, now()).await;
    assert_eq!(response.status, 413);
    assert_eq!(counts.counts(), Default::default());
}

#[tokio::test]
async fn header_names_match_in_any_case_and_any_container() {
    let (commands, _) = commands(
        Arc::new(runner_monitor_memory::MemoryStore::new()),
        vec![Scope::repo("acme", "api")],
    );
    let body = body("/runner-help", "");
    let pairs = signed(&body, now());
    let upper: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_uppercase(), v.clone()))
        .collect();
    assert_eq!(commands.handle(&upper, &body, now()).await.status, 200);
    let mut map = http::HeaderMap::new();
    for (k, v) in &pairs {
        let name = http::HeaderName::from_bytes(k.as_bytes()).expect("name");
        map.insert(name, http::HeaderValue::from_str(v).expect("value"));
    }
    assert_eq!(commands.handle(&map, &body, now()).await.status, 200);
    let hash: std::collections::HashMap<String, String> = pairs.into_iter().collect();
    assert_eq!(commands.handle(&hash, &body, now()).await.status, 200);
}

#[tokio::test]
async fn base64_bodies_from_api_gateway() {
    let (commands, counts) = commands(
        Arc::new(runner_monitor_memory::MemoryStore::new()),
        vec![Scope::repo("acme", "api")],
    );
    let body = body("/runner-help", "");
    let headers = signed(&body, now());
    let encoded = base64::engine::general_purpose::STANDARD.encode(&body);
    let response = commands
        .handle_encoded(&headers, &encoded, true, now())
        .await;
    assert_eq!(response.status, 200, "{:?}", response.body);
    // the same text not flagged as base64 does not match the signature
    let response = commands
        .handle_encoded(&headers, &encoded, false, now())
        .await;
    assert_eq!(response.status, 401);
    let response = commands
        .handle_encoded(&headers, "%%%not base64", true, now())
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.body["error"], "malformed_body");
    // a plain body passes through
    let text = String::from_utf8(body.clone()).expect("utf-8");
    let response = commands.handle_encoded(&headers, &text, false, now()).await;
    assert_eq!(response.status, 200);
    assert_eq!(counts.counts(), Default::default());
}

#[test]
fn an_empty_signing_secret_is_refused() {
    let store = Arc::new(runner_monitor_memory::MemoryStore::new());
    for secret in ["", "   "] {
        let err = SlashCommands::new(store.clone(), vec![], SecretString::from(secret))
            .expect_err("empty");
        assert_eq!(err, SlashConfigError::EmptySigningSecret);
    }
}

#[test]
fn debug_never_shows_the_signing_secret() {
    let (commands, _) = handler();
    let text = format!("{commands:?}");
    assert!(!text.contains(SECRET), "{text}");
}
