//! Slack's 3-second rule in the hosts: the daemon's `/slack/commands` route and the Lambda slash
//! function answer within 2.5 s when the store takes 4 s, and the real answer reaches the
//! request's `response_url` (a loopback receiver here).
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use runner_monitor::core::Scope;
use runner_monitor::host::health::Health;
use runner_monitor::host::http::{HttpState, router, serve};
use runner_monitor::memory::MemoryStore;
use runner_monitor::slack::SlashCommands;
use runner_monitor::slack::fake::{SlackReceiver, SlowStore, render_plain};
use runner_monitor::slack::signature::sign;
use secrecy::SecretString;

const SECRET: &str = "timing-test-signing-secret";
const SLOW: Duration = Duration::from_secs(4);
const IN_TIME: Duration = Duration::from_millis(2500);

fn scope() -> Scope {
    Scope::repo("acme", "api")
}

fn commands() -> Arc<SlashCommands> {
    let slow = Arc::new(SlowStore::new(Arc::new(MemoryStore::new()), SLOW));
    Arc::new(
        SlashCommands::new(slow, vec![scope()], SecretString::from(SECRET))
            .unwrap()
            .allow_loopback_response_url(true),
    )
}

fn body(response_url: &str) -> String {
    form_urlencoded_body(&[
        ("command", "/runner-status"),
        ("text", "acme/api"),
        ("user_id", "U1"),
        ("channel_id", "C1"),
        ("response_url", response_url),
    ])
}

fn form_urlencoded_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn signature(body: &str) -> (String, String) {
    let ts = chrono::Utc::now().timestamp().to_string();
    let signature = sign(&SecretString::from(SECRET), &ts, body.as_bytes());
    (ts, signature)
}

async fn assert_delayed_answer(receiver: &SlackReceiver) {
    assert!(
        receiver.wait_for(1, Duration::from_secs(30)).await,
        "the answer never reached response_url"
    );
    let posted = receiver.messages();
    assert_eq!(posted.len(), 1, "exactly one delayed post");
    let text = render_plain(&posted[0]);
    assert!(
        text.contains("acme/api") && !text.contains("Working on it"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_route_answers_in_time_and_posts_the_answer_later() {
    let receiver = SlackReceiver::start().await.unwrap();
    let app = router(HttpState {
        health: Health::new(Duration::from_secs(60)),
        metrics: None,
        slash: Some(commands()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stopped.await;
    }));

    let body = body(&receiver.url());
    let (ts, signature) = signature(&body);
    let started = Instant::now();
    let answer = reqwest::Client::new()
        .post(format!("http://{addr}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(answer.status(), 200);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert!(
        took < IN_TIME + Duration::from_millis(400),
        "answered after {took:?}"
    );
    assert!(render_plain(&json).contains("Working on it"), "{json}");
    assert_delayed_answer(&receiver).await;
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[cfg(feature = "lambda")]
fn api_gateway_event(body: &str) -> serde_json::Value {
    let (ts, signature) = signature(body);
    serde_json::json!({
        "version": "2.0",
        "routeKey": "POST /slack/commands",
        "rawPath": "/slack/commands",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature
        },
        "requestContext": {
            "http": { "method": "POST", "path": "/slack/commands", "protocol": "HTTP/1.1",
                      "sourceIp": "127.0.0.1", "userAgent": "Slackbot" },
            "requestId": "r1", "routeKey": "POST /slack/commands", "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0,
            "accountId": "123456789012", "apiId": "api", "domainName": "x", "domainPrefix": "x"
        },
        "body": body,
        "isBase64Encoded": false
    })
}

#[cfg(feature = "lambda")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lambda_answers_in_time_and_its_layer_waits_for_the_delayed_post() {
    use lambda_runtime::tower::{Layer, Service};
    use runner_monitor::host::lambda::{FinishDelayedLayer, SlackFunction};

    let receiver = SlackReceiver::start().await.unwrap();
    let function = SlackFunction::from_commands(commands());
    let handler = function.clone();
    let answered = Arc::new(std::sync::Mutex::new(None));
    let seen = Arc::clone(&answered);
    // Stands in for the runtime's own stack, which sends the answer before completing.
    let inner = lambda_runtime::tower::service_fn(move |event: serde_json::Value| {
        let handler = handler.clone();
        let seen = Arc::clone(&seen);
        async move {
            let started = Instant::now();
            let answer = handler.handle(event).await;
            *seen.lock().unwrap() = Some((started.elapsed(), answer));
            Ok::<(), lambda_runtime::Error>(())
        }
    });
    let mut service = FinishDelayedLayer::new(function).layer(inner);
    service
        .call(api_gateway_event(&body(&receiver.url())))
        .await
        .unwrap();

    let (took, answer) = answered.lock().unwrap().take().unwrap();
    assert!(
        took < IN_TIME + Duration::from_millis(400),
        "answered after {took:?}"
    );
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert!(
        answer["body"].as_str().unwrap().contains("Working on it"),
        "{answer}"
    );
    // The layer returned only once the delayed answer was posted: no waiting needed here.
    assert_eq!(
        receiver.received().len(),
        1,
        "posted before the next event is fetched"
    );
    assert_delayed_answer(&receiver).await;
}
