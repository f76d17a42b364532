//! Each error class, over real loopback HTTP, with messages a user can act on.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::org;
use runner_monitor_core::{RunnerSource, Scope, SourceError};
use runner_monitor_github::fake::{FakeGitHub, Fault};
use runner_monitor_github::{Credentials, GitHubSource};
use secrecy::SecretString;

async fn fake() -> (FakeGitHub, GitHubSource) {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 150);
    github.add_runners(&Scope::repo("acme", "api"), "r", 1);
    github.add_runners(&Scope::enterprise("big"), "r", 1);
    let source = github.source_builder().build().unwrap();
    (github, source)
}

#[tokio::test]
async fn unauthorized_says_the_token_is_expired_or_invalid() {
    let (github, _) = fake().await;
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(Credentials::token(SecretString::from("revoked")))
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("token expired or invalid"),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(github.requests().listings, 1, "a PAT is not retried on 401");
}

#[tokio::test]
async fn forbidden_names_the_permission_each_scope_needs() {
    let (github, source) = fake().await;
    github.inject(Fault::status(403).always());
    let cases = [
        (Scope::repo("acme", "api"), "Administration: read"),
        (org(), "Self-hosted runners: read"),
        (Scope::enterprise("big"), "manage_runners:enterprise"),
    ];
    for (scope, permission) in cases {
        let error = source.observe(&scope).await.unwrap_err();
        assert!(matches!(error, SourceError::Forbidden { .. }), "{error:?}");
        assert!(error.to_string().contains(permission), "{error}");
    }
    assert_eq!(
        source.rate_limit().map(|s| s.remaining > 0),
        Some(true),
        "not a rate limit"
    );
}

#[tokio::test]
async fn not_found_says_no_such_scope_or_no_access() {
    let (_github, source) = fake().await;
    let error = source.observe(&Scope::org("ghost")).await.unwrap_err();
    assert!(matches!(error, SourceError::NotFound { .. }), "{error:?}");
    assert!(
        error.to_string().contains("no such organization `ghost`"),
        "{error}"
    );
    assert!(error.to_string().contains("no access"), "{error}");
}

#[tokio::test]
async fn server_errors_are_unavailable_and_retryable() {
    let (github, source) = fake().await;
    github.inject(Fault::server_error(502).on_page(2));
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(error.to_string().contains("HTTP 502"), "{error}");
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 150);
}

#[tokio::test]
async fn a_request_timeout_is_unavailable() {
    let (github, _) = fake().await;
    let source = github
        .source_builder()
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    github.inject(Fault::slow(Duration::from_secs(5)));
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("request timeout"), "{error}");
}

#[tokio::test]
async fn the_overall_timeout_bounds_a_whole_listing() {
    let (github, _) = fake().await;
    let source = github
        .source_builder()
        .overall_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    github.inject(Fault::slow(Duration::from_secs(5)).on_page(2));
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("overall timeout"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let source = GitHubSource::builder()
        .base_url(format!("http://{addr}"))
        .credentials(Credentials::token(SecretString::from("t")))
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    let (github, source) = fake().await;
    github.inject(Fault::malformed_json());
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::InvalidResponse { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let (github, source) = fake().await;
    github.inject(Fault::missing_field("os").on_page(2));
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::InvalidResponse { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("runners[0]") && text.contains("`os`"),
        "{text}"
    );
    assert!(text.contains("page 2"), "{text}");
}

#[test]
fn construction_errors_are_clear() {
    use runner_monitor_github::BuildError;
    assert_eq!(
        GitHubSource::builder().build().unwrap_err(),
        BuildError::MissingCredentials
    );
    let token = || Credentials::token(SecretString::from("t"));
    let error = GitHubSource::builder()
        .credentials(Credentials::token(SecretString::from("  ")))
        .build()
        .unwrap_err();
    assert_eq!(error, BuildError::EmptyToken);
    let error = GitHubSource::builder()
        .credentials(token())
        .base_url("http://ghe.example/api/v3")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("https"), "{error}");
    let error = GitHubSource::builder()
        .credentials(token())
        .max_concurrent_requests(0)
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("max_concurrent_requests"),
        "{error}"
    );
}
