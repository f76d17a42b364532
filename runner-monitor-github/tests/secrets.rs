//! No token, private key or JWT reaches `Debug`, logs or error messages.
#![allow(clippy::unwrap_used)]

mod common;

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{APP_KEY, app_credentials, app_source, fake_with_app, org};
use runner_monitor_core::{RunnerSource, Scope};
use runner_monitor_github::fake::{FakeGitHub, Fault};
use runner_monitor_github::{Credentials, GitHubSource};
use secrecy::SecretString;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span field and event field, at every level.
struct Capture {
    text: Arc<Mutex<String>>,
    next_id: AtomicU64,
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Writer(&mut self.text.lock().unwrap()));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Writer(&mut self.text.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str(event.metadata().target());
        text.push(' ');
        event.record(&mut Writer(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const PAT: &str = "ghp_SuperSecretPersonalToken1234567890";

fn assert_clean(text: &str, what: &str) {
    let key_body = APP_KEY.lines().nth(1).unwrap();
    for secret in [PAT, key_body, "ghs_fake", "eyJ", "BEGIN RSA PRIVATE KEY"] {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

#[tokio::test]
async fn secrets_never_reach_debug_logs_or_errors() {
    let logs = Arc::new(Mutex::new(String::new()));
    tracing::subscriber::set_global_default(Capture {
        text: Arc::clone(&logs),
        next_id: AtomicU64::new(0),
    })
    .unwrap();

    // Debug of credentials and sources.
    let pat = Credentials::token(SecretString::from(PAT));
    assert_clean(&format!("{pat:?}"), "Debug of token credentials");
    assert_clean(
        &format!("{:?}", app_credentials(APP_KEY)),
        "Debug of app credentials",
    );

    let github = FakeGitHub::builder().token(PAT).start().await.unwrap();
    github.add_runners(&org(), "r", 150);
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(pat)
        .build()
        .unwrap();
    assert_clean(&format!("{source:?}"), "Debug of a token source");
    source.observe(&org()).await.unwrap();

    // Errors of every kind.
    let mut errors = Vec::new();
    for status in [401, 403, 404, 500] {
        github.inject(Fault::status(status));
        errors.push(source.observe(&org()).await.unwrap_err());
    }
    github.inject(Fault::malformed_json());
    errors.push(source.observe(&org()).await.unwrap_err());
    github.inject(Fault::rate_limited(429, None));
    errors.push(source.observe(&org()).await.unwrap_err());
    errors.push(source.observe(&org()).await.unwrap_err());
    let rejected = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(Credentials::token(SecretString::from(
            "ghp_SuperSecretPersonalToken1234567890-revoked",
        )))
        .build()
        .unwrap();
    errors.push(rejected.observe(&org()).await.unwrap_err());
    for error in &errors {
        assert_clean(&error.to_string(), "an error message");
        assert_clean(&format!("{error:?}"), "Debug of an error");
    }

    // The App path: JWT and installation tokens.
    let apps = fake_with_app().await;
    apps.add_runners(&org(), "r", 2);
    let app = app_source(&apps);
    app.observe(&org()).await.unwrap();
    apps.expire_tokens();
    app.observe(&org()).await.unwrap();
    app.observe(&Scope::org("nobody")).await.unwrap_err();
    assert_clean(&format!("{app:?}"), "Debug of an app source");

    let logs = logs.lock().unwrap().clone();
    assert!(logs.contains("listed runners"), "the capture works: {logs}");
    assert!(
        logs.contains("minted a GitHub App installation token"),
        "{logs}"
    );
    assert_clean(&logs, "the logs");
}

#[tokio::test]
async fn a_token_no_header_can_carry_is_refused_when_building() {
    use runner_monitor_github::BuildError;
    for token in [
        "ghp_Line\nBreakSecret",
        "ghp_Nul\u{0}Secret",
        "ghp_Non\u{e9}AsciiSecret",
    ] {
        let error = GitHubSource::builder()
            .credentials(Credentials::token(SecretString::from(token)))
            .build()
            .unwrap_err();
        assert_eq!(error, BuildError::InvalidToken, "{token:?}");
        let text = format!("{error} {error:?}");
        assert!(text.contains("Authorization header"), "{text}");
        assert!(!text.contains("Secret"), "the token is echoed: {text}");
    }
    // A trailing newline (a token read from a file) is not part of the token: it is sent
    // trimmed, and GitHub accepts it.
    let github = FakeGitHub::builder().token(PAT).start().await.unwrap();
    github.add_runners(&org(), "r", 3);
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(Credentials::token(SecretString::from(format!("{PAT}\n"))))
        .build()
        .unwrap();
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 3);
}

#[tokio::test]
async fn a_minted_token_no_header_can_carry_is_refused_not_sent_without_authorization() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/app/installations/77/access_tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "token": "ghs_Minted\nSecretToken",
            "expires_at": "2099-01-01T00:00:00Z",
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 0, "runners": []
        })))
        .mount(&server)
        .await;
    let source = GitHubSource::builder()
        .base_url(server.uri())
        .credentials(app_credentials(APP_KEY))
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("token not shown"), "{text}");
    assert!(!text.contains("SecretToken"), "{text}");
    let requests = server.received_requests().await.unwrap_or_default();
    let listings = requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(listings, 0, "no listing may go out without Authorization");
}
