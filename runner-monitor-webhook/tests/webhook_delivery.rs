//! WebhookNotifier against a real loopback HTTP receiver: bodies, headers and signatures.

mod common;

use chrono::DateTime;
use runner_monitor_core::Notifier;
use runner_monitor_webhook::{
    DEFAULT_TOLERANCE, SignatureError, WebhookDocument, WebhookNotifier, verify_signature,
};
use secrecy::SecretString;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "whsec_test-signing-secret";

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn notifier(server: &MockServer) -> WebhookNotifier {
    WebhookNotifier::new(SecretString::from(format!("{}/hook", server.uri()))).expect("valid URL")
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn every_kind_is_posted_as_its_golden_document_with_its_headers() {
    let server = receiver(200).await;
    let notifier = notifier(&server);
    for (kind, notification) in common::every_kind() {
        notifier.notify(&notification).await.expect(kind);
    }
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), common::every_kind().len());
    for ((kind, notification), request) in common::every_kind().into_iter().zip(&requests) {
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON body");
        common::assert_golden(&format!("webhook_{kind}"), &body);
        assert_eq!(header(request, "content-type"), Some("application/json"));
        assert_eq!(
            header(request, "idempotency-key"),
            Some(notification.idempotency_key().as_str())
        );
        assert_eq!(header(request, "x-runner-monitor-event"), Some(kind));
        assert!(
            header(request, "user-agent").is_some_and(|ua| ua.starts_with("runner-monitor/")),
            "{:?}",
            request.headers
        );
        assert_eq!(header(request, "x-runner-monitor-signature"), None);
        assert_eq!(header(request, "x-runner-monitor-timestamp"), None);
        let document: WebhookDocument = serde_json::from_slice(&request.body).expect("parses");
        assert_eq!(document, WebhookDocument::from_notification(&notification));
    }
}

#[tokio::test]
async fn signed_requests_verify_and_tampering_is_detected() {
    let server = receiver(204).await;
    let secret = SecretString::from(SECRET);
    let notifier = notifier(&server).with_signing_secret(secret.clone());
    notifier.notify(&common::opened()).await.expect("delivered");

    let requests = server.received_requests().await.expect("recording");
    let request = requests.first().expect("one request");
    let timestamp = header(request, "x-runner-monitor-timestamp").expect("timestamp header");
    let signature = header(request, "x-runner-monitor-signature").expect("signature header");
    assert!(
        signature.starts_with("sha256=") && signature.len() == 7 + 64,
        "{signature}"
    );
    let sent_at = DateTime::from_timestamp(timestamp.parse().expect("seconds"), 0).expect("time");
    let body = request.body.as_slice();

    let check = |secret: &SecretString, ts: &str, body: &[u8], now| {
        verify_signature(secret, ts, signature, body, now, DEFAULT_TOLERANCE)
    };
    assert_eq!(check(&secret, timestamp, body, sent_at), Ok(()));

    let mut tampered = body.to_vec();
    let at = tampered
        .iter()
        .position(|&b| b == b'3')
        .expect("a digit to change");
    tampered[at] = b'4';
    assert_eq!(
        check(&secret, timestamp, &tampered, sent_at),
        Err(SignatureError::Mismatch)
    );

    let later = (timestamp.parse::<i64>().expect("seconds") + 1).to_string();
    assert_eq!(
        check(&secret, &later, body, sent_at),
        Err(SignatureError::Mismatch)
    );

    let wrong = SecretString::from("another-secret");
    assert_eq!(
        check(&wrong, timestamp, body, sent_at),
        Err(SignatureError::Mismatch)
    );

    let replayed = sent_at + chrono::Duration::minutes(6);
    assert!(matches!(
        check(&secret, timestamp, body, replayed),
        Err(SignatureError::Stale { .. })
    ));
}

#[tokio::test]
async fn extra_headers_are_sent() {
    let server = receiver(200).await;
    let notifier = notifier(&server)
        .with_header("Authorization", SecretString::from("Bearer abc.def"))
        .expect("valid header")
        .with_header("X-Team", SecretString::from("ci"))
        .expect("valid header");
    notifier
        .notify(&common::resolved())
        .await
        .expect("delivered");
    let requests = server.received_requests().await.expect("recording");
    let request = requests.first().expect("one request");
    assert_eq!(header(request, "authorization"), Some("Bearer abc.def"));
    assert_eq!(header(request, "x-team"), Some("ci"));
}

#[tokio::test]
async fn redelivery_repeats_the_idempotency_key_and_body() {
    let server = receiver(200).await;
    let notifier = notifier(&server);
    notifier.notify(&common::reminder()).await.expect("first");
    notifier.notify(&common::reminder()).await.expect("again");
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);
    assert_eq!(
        header(&requests[0], "idempotency-key"),
        header(&requests[1], "idempotency-key")
    );
}
