//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use runner_monitor_core::{Observation, Scope};
use runner_monitor_github::fake::FakeGitHub;
use runner_monitor_github::{Credentials, GitHubSource};
use secrecy::SecretString;

/// The test app's private key (PKCS#1). A fixture, not a credential.
pub const APP_KEY: &str = include_str!("../fixtures/app_key.pem");
/// The same key in PKCS#8.
pub const APP_KEY_PKCS8: &str = include_str!("../fixtures/app_key_pkcs8.pem");
/// The test app's public key.
pub const APP_PUBLIC_KEY: &str = include_str!("../fixtures/app_key.pub.pem");
/// A key that belongs to no registered app.
pub const OTHER_KEY: &str = include_str!("../fixtures/other_key.pem");

pub const APP_ID: u64 = 4242;
pub const INSTALLATION_ID: u64 = 77;

pub fn org() -> Scope {
    Scope::org("acme")
}

/// A fake that knows the test app and its installation.
pub async fn fake_with_app() -> FakeGitHub {
    FakeGitHub::builder()
        .app(APP_ID, APP_PUBLIC_KEY)
        .installation(INSTALLATION_ID, APP_ID)
        .start()
        .await
        .unwrap()
}

pub fn app_credentials(key: &str) -> Credentials {
    Credentials::app(APP_ID.to_string(), INSTALLATION_ID, SecretString::from(key))
}

/// A source on the fake, authenticated as the test app.
pub fn app_source(github: &FakeGitHub) -> GitHubSource {
    GitHubSource::builder()
        .base_url(github.base_url())
        .credentials(app_credentials(APP_KEY))
        .build()
        .unwrap()
}

/// Runner names of an observation, sorted.
pub fn names(observation: &Observation) -> Vec<String> {
    let mut names: Vec<String> = observation.runners.iter().map(|r| r.name.clone()).collect();
    names.sort();
    names
}

/// Runner names the fake lists for `scope`, sorted.
pub fn fleet_names(github: &FakeGitHub, scope: &Scope) -> Vec<String> {
    let mut names: Vec<String> = github.runners(scope).into_iter().map(|r| r.name).collect();
    names.sort();
    names
}

/// A GitHub REST runner object, with fields the client does not know.
pub fn runner_json(id: u64, name: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": name, "os": "linux", "status": "online", "busy": false,
        "ephemeral": false, "runner_group_id": 1, "version": "2.321.0",
        "labels": [{"id": 1, "name": "self-hosted", "type": "read-only"}]
    })
}
