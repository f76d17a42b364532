//! GitHub App authentication end to end: the fake checks the JWT's signature, `iss`, `iat` and
//! `exp`; the installation token is cached, refreshed before expiry, replaced when rejected, and
//! minted once under concurrency; a refresh costs one cycle of 200s (ETags are per token).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    APP_ID, APP_KEY, APP_KEY_PKCS8, APP_PUBLIC_KEY, INSTALLATION_ID, OTHER_KEY, app_credentials,
    app_source, fake_with_app, org,
};
use runner_monitor_core::{RunnerSource, Scope, SourceError};
use runner_monitor_github::fake::{FakeGitHub, ManualClock};
use runner_monitor_github::{BuildError, Credentials, GitHubSource};
use secrecy::SecretString;

#[tokio::test]
async fn app_auth_end_to_end() {
    let github = fake_with_app().await;
    github.add_runners(&org(), "r", 5);
    let source = app_source(&github);
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 5);
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 5);
    assert_eq!(
        github.tokens_minted(),
        1,
        "the installation token is cached"
    );
    let requests = github.requests();
    assert_eq!(requests.token_requests, 1);
    assert_eq!(requests.status(201), 1);
    assert_eq!(requests.status(401), 0);
}

#[tokio::test]
async fn a_pkcs8_key_works_too() {
    let github = fake_with_app().await;
    github.add_runners(&org(), "r", 1);
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(app_credentials(APP_KEY_PKCS8))
        .build()
        .unwrap();
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 1);
}

#[tokio::test]
async fn the_token_is_refreshed_before_it_expires() {
    let github = fake_with_app().await;
    github.add_runners(&org(), "r", 1);
    let source = app_source(&github);
    // Tokens living 4 minutes are inside the 5-minute refresh margin: each use mints anew.
    github.set_token_ttl(Duration::from_secs(4 * 60));
    source.observe(&org()).await.unwrap();
    source.observe(&org()).await.unwrap();
    assert_eq!(github.tokens_minted(), 2);
    // A token for an hour is kept.
    github.set_token_ttl(Duration::from_secs(3600));
    source.observe(&org()).await.unwrap();
    source.observe(&org()).await.unwrap();
    source.observe(&org()).await.unwrap();
    assert_eq!(github.tokens_minted(), 3);
    assert_eq!(
        github.requests().status(401),
        0,
        "refreshed before GitHub ever refused it"
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_request_retried() {
    let github = fake_with_app().await;
    github.add_runners(&org(), "r", 3);
    let source = app_source(&github);
    source.observe(&org()).await.unwrap();
    github.expire_tokens();
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 3);
    assert_eq!(github.tokens_minted(), 2);
    assert_eq!(github.requests().status(401), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_observers_share_one_refresh() {
    let github = fake_with_app().await;
    let scopes: Vec<Scope> = (0..16).map(|i| Scope::org(format!("org{i}"))).collect();
    for scope in &scopes {
        github.add_runners(scope, "r", 2);
    }
    let source = app_source(&github);
    let tasks: Vec<_> = scopes
        .iter()
        .map(|scope| {
            let (source, scope) = (source.clone(), scope.clone());
            tokio::spawn(async move { source.observe(&scope).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(github.tokens_minted(), 1);
    assert_eq!(github.requests().token_requests, 1);
}

#[tokio::test]
async fn a_jwt_signed_with_another_key_is_rejected() {
    let github = fake_with_app().await;
    github.add_runners(&org(), "r", 1);
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(app_credentials(OTHER_KEY))
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("JWT was rejected"), "{error}");
    assert_eq!(github.requests().listings, 0);
}

#[tokio::test]
async fn a_wrong_app_id_or_installation_is_reported() {
    let github = FakeGitHub::builder()
        .app(1, APP_PUBLIC_KEY)
        .installation(77, 1)
        .installation(88, 2)
        .app(2, APP_PUBLIC_KEY)
        .start()
        .await
        .unwrap();
    let build = |app: &str, installation| {
        GitHubSource::builder()
            .base_url(github.base_url())
            .credentials(Credentials::app(
                app,
                installation,
                SecretString::from(APP_KEY),
            ))
            .build()
            .unwrap()
    };
    // Installation 88 belongs to app 2: a JWT from app 1 has the wrong `iss`.
    let error = build("1", 88).observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::Unauthorized { .. }),
        "{error:?}"
    );
    let error = build("1", 99).observe(&org()).await.unwrap_err();
    assert!(matches!(error, SourceError::NotFound { .. }), "{error:?}");
    assert!(error.to_string().contains("installation 99"), "{error}");
}

#[test]
fn bad_keys_and_ids_fail_at_construction() {
    let build = |app_id: &str, installation: u64, key: &str| {
        GitHubSource::builder()
            .credentials(Credentials::app(
                app_id,
                installation,
                SecretString::from(key),
            ))
            .build()
            .map(|_| ())
    };
    assert_eq!(build("4242", 77, APP_KEY), Ok(()));
    assert_eq!(build("Iv1.abc123", 77, APP_KEY), Ok(()));
    for (app_id, installation, key) in [
        ("4242", 77, "not a key"),
        ("4242", 77, APP_PUBLIC_KEY),
        (
            "4242",
            77,
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        ),
    ] {
        let error = build(app_id, installation, key).unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidPrivateKey { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("private key"), "{error}");
        assert!(
            !error.to_string().contains("AAAA") && !error.to_string().contains("MII"),
            "{error}"
        );
    }
    for bad_id in ["", "0", "my-app", "12x"] {
        let error = build(bad_id, 77, APP_KEY).unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidAppId { .. }),
            "{bad_id:?}: {error:?}"
        );
    }
    assert_eq!(
        build("4242", 0, APP_KEY).unwrap_err(),
        BuildError::InvalidInstallationId
    );
}

#[tokio::test]
async fn an_hourly_token_refresh_costs_one_cycle_of_200s() {
    // The fake and the source share a clock, so the hour passes at once.
    let clock = ManualClock::new();
    let github = FakeGitHub::builder()
        .app(APP_ID, APP_PUBLIC_KEY)
        .installation(INSTALLATION_ID, APP_ID)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    github.add_runners(&org(), "r", 250);
    let source = GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(app_credentials(APP_KEY))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let cycle = || async {
        github.reset_requests();
        assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 250);
        let requests = github.requests();
        (
            requests.token_requests,
            requests.status(200),
            requests.not_modified(),
        )
    };
    // Cold: a token, 3 pages, the 2 heads re-checked (304). Then only 304s.
    assert_eq!(cycle().await, (1, 3, 2));
    assert_eq!(cycle().await, (0, 0, 3));
    // 56 minutes on, the hour-long token is inside the 5-minute refresh margin: a new token,
    // and GitHub ties ETags to the token, so every page is a 200 once (conditional requests
    // with the old token's ETags), counted against the rate limit...
    clock.advance(Duration::from_secs(56 * 60));
    let remaining = github.rate_limit_remaining().unwrap();
    assert_eq!(cycle().await, (1, 3, 0));
    assert_eq!(github.rate_limit_remaining().unwrap(), remaining - 3);
    // ... then 304s again.
    assert_eq!(cycle().await, (0, 0, 3));
    assert_eq!(github.tokens_minted(), 2);
    assert_eq!(github.requests().status(401), 0, "refreshed before expiry");
}
