//! The fake itself, spoken to with a plain HTTP client: GitHub's paging, ETags, budget, faults,
//! and the JWT checks of the token endpoint.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{APP_ID, APP_KEY, INSTALLATION_ID, OTHER_KEY, fake_with_app, org};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use runner_monitor_core::Scope;
use runner_monitor_github::fake::{Churn, DEFAULT_TOKEN, FakeGitHub, FakeRunner, Fault};

async fn get(url: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url).bearer_auth(DEFAULT_TOKEN);
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn pages_like_github_with_etags_and_a_budget() {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 65);
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());

    let first = get(&url, None).await;
    assert_eq!(first.status(), 200);
    let link = header(&first, "link").unwrap();
    assert!(
        link.contains("per_page=30&page=2>; rel=\"next\""),
        "default per_page is 30: {link}"
    );
    assert!(link.contains("page=3>; rel=\"last\""), "{link}");
    assert_eq!(
        header(&first, "x-ratelimit-remaining").as_deref(),
        Some("4999")
    );
    let etag = header(&first, "etag").unwrap();
    let body: serde_json::Value = first.json().await.unwrap();
    assert_eq!(body["total_count"], 65);
    assert_eq!(body["runners"].as_array().unwrap().len(), 30);
    assert_eq!(body["runners"][0]["labels"][0]["type"], "read-only");

    let again = get(&url, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(
        header(&again, "x-ratelimit-remaining").as_deref(),
        Some("4999"),
        "304 is free"
    );

    let last = get(&format!("{url}?per_page=30&page=3"), None).await;
    assert!(!header(&last, "link").unwrap().contains("rel=\"next\""));
    let body: serde_json::Value = last.json().await.unwrap();
    assert_eq!(body["runners"].as_array().unwrap().len(), 5);

    github.set_online(&org(), "r-00001", false);
    assert_eq!(
        get(&url, Some(&etag)).await.status(),
        200,
        "a change changes the etag"
    );

    let requests = github.requests();
    assert_eq!(
        (
            requests.listings,
            requests.not_modified(),
            requests.conditional
        ),
        (4, 1, 2)
    );
}

#[tokio::test]
async fn refuses_bad_tokens_unknown_scopes_and_spent_budgets() {
    let github = FakeGitHub::builder()
        .rate_limit(1, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    github.add_runner(&org(), FakeRunner::new("a"));
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());
    let anonymous = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        get(
            &format!("{}/orgs/ghost/actions/runners", github.base_url()),
            None
        )
        .await
        .status(),
        404
    );
    let spent = get(&url, None).await;
    assert_eq!(spent.status(), 403);
    assert_eq!(
        header(&spent, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert!(header(&spent, "x-ratelimit-reset").is_some());
}

#[tokio::test]
async fn faults_are_scoped_counted_and_used_up() {
    let github = FakeGitHub::start().await.unwrap();
    let other = Scope::org("other");
    github.add_runner(&org(), FakeRunner::new("a"));
    github.add_runner(&other, FakeRunner::new("b"));
    github.inject(Fault::server_error(503).times(2).for_scope(&other));
    github.inject(Fault::rate_limited(429, Some(Duration::from_secs(7))).for_scope(&org()));
    let url = |org: &str| format!("{}/orgs/{org}/actions/runners", github.base_url());

    let limited = get(&url("acme"), None).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(header(&limited, "retry-after").as_deref(), Some("7"));
    assert_eq!(get(&url("acme"), None).await.status(), 200);
    assert_eq!(get(&url("other"), None).await.status(), 503);
    assert_eq!(get(&url("other"), None).await.status(), 503);
    assert_eq!(get(&url("other"), None).await.status(), 200);
    let requests = github.requests();
    assert_eq!(
        (
            requests.status(503),
            requests.status(429),
            requests.status(200)
        ),
        (2, 1, 2)
    );
}

fn jwt(key: &str, iss: serde_json::Value, iat_offset: i64, exp_offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = serde_json::json!({"iss": iss, "iat": now + iat_offset, "exp": now + exp_offset});
    let key = EncodingKey::from_rsa_pem(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
}

#[tokio::test]
async fn the_token_endpoint_checks_signature_iss_iat_and_exp() {
    let github = fake_with_app().await;
    let url = format!(
        "{}/app/installations/{INSTALLATION_ID}/access_tokens",
        github.base_url()
    );
    let mint = |jwt: String| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(&url)
                .bearer_auth(jwt)
                .send()
                .await
                .unwrap()
        }
    };
    let app = serde_json::json!(APP_ID);
    let ok = mint(jwt(APP_KEY, app.clone(), -60, 540)).await;
    assert_eq!(ok.status(), 201);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(body["token"].as_str().unwrap().starts_with("ghs_"));
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        mint(jwt(
            APP_KEY,
            serde_json::json!(APP_ID.to_string()),
            -60,
            540
        ))
        .await
        .status(),
        201
    );

    for (what, token) in [
        ("wrong key", jwt(OTHER_KEY, app.clone(), -60, 540)),
        (
            "wrong iss",
            jwt(APP_KEY, serde_json::json!(APP_ID + 1), -60, 540),
        ),
        ("expired", jwt(APP_KEY, app.clone(), -700, -10)),
        ("exp too far", jwt(APP_KEY, app.clone(), -60, 3600)),
        ("iat in the future", jwt(APP_KEY, app.clone(), 300, 500)),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        assert_eq!(mint(token).await.status(), 401, "{what}");
    }
    let unknown = format!("{}/app/installations/999/access_tokens", github.base_url());
    let response = reqwest::Client::new()
        .post(unknown)
        .bearer_auth(jwt(APP_KEY, app, -60, 540))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(github.tokens_minted(), 2);
}

#[tokio::test]
async fn handles_are_shared_and_the_server_stops_with_the_last() {
    let github = FakeGitHub::start().await.unwrap();
    let clone = github.clone();
    clone.add_runner(&org(), FakeRunner::new("a"));
    assert_eq!(github.runners(&org()).len(), 1);
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());
    drop(github);
    assert_eq!(
        get(&url, None).await.status(),
        200,
        "a clone keeps it running"
    );
    drop(clone);
    tokio::task::yield_now().await;
    let gone = reqwest::Client::new()
        .get(&url)
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(gone.is_err(), "stopped with the last handle");
}

#[tokio::test]
async fn etags_are_bound_to_the_token() {
    let github = FakeGitHub::builder()
        .token("second-token")
        .start()
        .await
        .unwrap();
    github.add_runners(&org(), "r", 3);
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());
    let first = get(&url, None).await;
    let etag = header(&first, "etag").unwrap();
    assert_eq!(get(&url, Some(&etag)).await.status(), 304);
    let other = reqwest::Client::new()
        .get(&url)
        .bearer_auth("second-token")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200, "another token's ETag never matches");
    let other_etag = header(&other, "etag").unwrap();
    assert_ne!(other_etag, etag);
}

#[tokio::test]
async fn latency_delays_each_answer_and_requests_overlap() {
    let github = FakeGitHub::builder()
        .latency(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    github.add_runners(&org(), "r", 3);
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(get(&url, None), get(&url, None));
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(github.requests().max_in_flight, 2, "side by side");
    github.set_latency(Duration::ZERO);
    assert_eq!(get(&url, None).await.status(), 200);
}

#[tokio::test]
async fn churn_changes_the_fleet_between_requests() {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 10);
    github.add_runner(&org(), FakeRunner::new("e-1").ephemeral(true));
    github.start_churn(
        Churn::new(&org())
            .seed(5)
            .membership_changes_per_second(50.0)
            .busy_flips_per_request(4)
            .ephemeral_prefix("job"),
    );
    let url = format!("{}/orgs/acme/actions/runners", github.base_url());
    let first = get(&url, None).await;
    let etag = header(&first, "etag").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        get(&url, Some(&etag)).await.status(),
        200,
        "busy flips change the page"
    );
    let stats = github.stop_churn().unwrap();
    assert_eq!(stats.busy_flips, 8);
    assert!(stats.membership_changes() >= 1, "{stats:?}");
    let names: Vec<String> = github.runners(&org()).into_iter().map(|r| r.name).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("r-")).count(), 10);
    assert!(names.iter().any(|n| n.starts_with("job-")) || stats.deregistered > 0);
    // Stopped: nothing changes any more.
    let quiet = get(&url, None).await;
    let etag = header(&quiet, "etag").unwrap();
    assert_eq!(get(&url, Some(&etag)).await.status(), 304);
    assert_eq!(github.churn_stats(), None);
}
