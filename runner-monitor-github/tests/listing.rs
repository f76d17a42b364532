//! Complete listings over real loopback HTTP: pagination, conditional requests, shifting fleets,
//! GHES base paths, unknown fields.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fleet_names, names, org, runner_json};
use runner_monitor_core::{RunnerSource, RunnerStatus, Scope, SourceError};
use runner_monitor_github::GitHubSource;
use runner_monitor_github::fake::{FakeGitHub, FakeRunner};
use secrecy::SecretString;
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn fake_with(count: usize) -> (FakeGitHub, GitHubSource) {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", count);
    let source = github.source_builder().build().unwrap();
    (github, source)
}

#[tokio::test]
async fn lists_250_runners_over_3_pages() {
    let (github, source) = fake_with(250).await;
    let observation = source.observe(&org()).await.unwrap();
    assert_eq!(observation.runners.len(), 250);
    assert_eq!(names(&observation), fleet_names(&github, &org()));
    let requests = github.requests();
    // 3 pages of 100, then pages 1 and 2 re-checked (304) because the runner set is new.
    assert_eq!(requests.status(200), 3, "{requests:?}");
    assert_eq!(requests.not_modified(), 2, "{requests:?}");
    assert_eq!(requests.listings, 5);
}

#[tokio::test]
async fn second_cycle_is_only_304s() {
    let (github, source) = fake_with(250).await;
    source.observe(&org()).await.unwrap();
    let remaining = github.rate_limit_remaining();
    github.reset_requests();

    let observation = source.observe(&org()).await.unwrap();
    assert_eq!(observation.runners.len(), 250);
    let requests = github.requests();
    assert_eq!(requests.listings, 3, "{requests:?}");
    assert_eq!(requests.not_modified(), 3, "{requests:?}");
    assert_eq!(requests.conditional, 3);
    assert_eq!(requests.status(200), 0);
    assert_eq!(github.rate_limit_remaining(), remaining, "304s are free");
    assert_eq!(source.rate_limit().unwrap().remaining, remaining.unwrap());
}

#[tokio::test]
async fn a_changed_runner_costs_one_page() {
    let (github, source) = fake_with(250).await;
    source.observe(&org()).await.unwrap();
    github.reset_requests();
    github.set_online(&org(), "r-00150", false);
    github.set_busy(&org(), "r-00151", true);

    let observation = source.observe(&org()).await.unwrap();
    let status = |name: &str| {
        observation
            .runners
            .iter()
            .find(|r| r.name == name)
            .unwrap()
            .status()
    };
    assert_eq!(status("r-00150"), RunnerStatus::Offline);
    assert_eq!(status("r-00151"), RunnerStatus::Busy);
    let requests = github.requests();
    assert_eq!(
        (requests.status(200), requests.not_modified()),
        (1, 2),
        "{requests:?}"
    );
}

#[tokio::test]
async fn a_runner_vanishing_between_pages_never_leaves_another_missing() {
    let (github, source) = fake_with(250).await;
    // Page 1 is served, then runner 50 goes: every later runner moves up one place, so a naive
    // client would never see runner 101.
    github.after_page(&org(), 1, |fleet| {
        fleet.remove(&Scope::org("acme"), "r-00050");
    });
    let observation = source.observe(&org()).await.unwrap();
    assert_eq!(names(&observation), fleet_names(&github, &org()));
    assert_eq!(observation.runners.len(), 249);
    assert!(observation.runners.iter().any(|r| r.name == "r-00101"));
    // Pass 1: 3 pages, total_count 250 then 249: shifted. Pass 2: page 1 changed (200), pages
    // 2 and 3 as read in pass 1 (304). New runner set: pages 1 and 2 re-checked (304).
    let requests = github.requests();
    assert_eq!(
        (requests.status(200), requests.not_modified()),
        (4, 4),
        "{requests:?}"
    );
}

#[tokio::test]
async fn a_swap_that_keeps_the_count_is_caught_too() {
    let (github, source) = fake_with(250).await;
    source.observe(&org()).await.unwrap();
    // Same total_count, but everything after runner 50 shifts: only the re-check sees it.
    github.after_page(&org(), 1, |fleet| {
        let acme = Scope::org("acme");
        fleet.remove(&acme, "r-00050");
        fleet.add(&acme, FakeRunner::new("newcomer"));
    });
    let observation = source.observe(&org()).await.unwrap();
    assert_eq!(names(&observation), fleet_names(&github, &org()));
    assert!(observation.runners.iter().any(|r| r.name == "r-00101"));
    assert!(observation.runners.iter().any(|r| r.name == "newcomer"));
    assert_eq!(observation.runners.len(), 250);
}

#[tokio::test]
async fn a_reregistration_mid_listing_gives_one_runner_with_the_new_id() {
    let (github, source) = fake_with(250).await;
    let new_id = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = std::sync::Arc::clone(&new_id);
    github.after_page(&org(), 1, move |fleet| {
        *slot.lock().unwrap() = fleet.reregister(&Scope::org("acme"), "r-00010");
    });
    let observation = source.observe(&org()).await.unwrap();
    let matching: Vec<_> = observation
        .runners
        .iter()
        .filter(|r| r.name == "r-00010")
        .collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(Some(matching[0].id), *new_id.lock().unwrap());
    assert_eq!(observation.runners.len(), 250);
}

#[tokio::test]
async fn a_listing_that_keeps_shifting_is_incomplete_not_partial() {
    let server = MockServer::start().await;
    let next = format!(
        "<{}/orgs/acme/actions/runners?per_page=100&page=2>; rel=\"next\"",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/orgs/acme/actions/runners"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 2, "runners": [runner_json(2, "b")]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/actions/runners"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", next.as_str())
                .set_body_json(serde_json::json!({
                    "total_count": 3, "runners": [runner_json(1, "a")]
                })),
        )
        .mount(&server)
        .await;
    let source = GitHubSource::builder()
        .base_url(server.uri())
        .credentials(runner_monitor_github::Credentials::token(
            SecretString::from("t"),
        ))
        .max_relists(2)
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    assert!(matches!(error, SourceError::Incomplete { .. }), "{error:?}");
    assert!(error.to_string().contains("total_count"), "{error}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2 + 1 + 2 * 2,
        "the pass (2 pages), page 1 again, then 2 relists of page 2 and page 1"
    );
}

#[tokio::test]
async fn sends_githubs_headers_and_ignores_unknown_fields() {
    let server = MockServer::start().await;
    let mut runner = runner_json(23, "MBP");
    runner["brand_new_field"] = serde_json::json!({"nested": [1, 2, 3]});
    runner["labels"][0]["color"] = serde_json::json!("blue");
    Mock::given(method("GET"))
        .and(path("/repos/acme/api/actions/runners"))
        .and(query_param("per_page", "100"))
        .and(header("accept", "application/vnd.github+json"))
        .and(header("x-github-api-version", "2022-11-28"))
        .and(header("authorization", "Bearer s3cret-token"))
        .and(header_exists("user-agent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 1, "runners": [runner], "something_new": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    let source = GitHubSource::builder()
        .base_url(server.uri())
        .credentials(runner_monitor_github::Credentials::token(
            SecretString::from("s3cret-token"),
        ))
        .build()
        .unwrap();
    let observation = source.observe(&Scope::repo("acme", "api")).await.unwrap();
    assert_eq!(observation.runners.len(), 1);
    assert_eq!(observation.runners[0].labels, ["self-hosted"]);
    assert_eq!(
        source.rate_limit(),
        None,
        "no rate-limit headers, no status"
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    "<http://127.0.0.2:9/orgs/acme/actions/runners?page=2>; rel=\"next\"",
                )
                .set_body_json(
                    serde_json::json!({"total_count": 2, "runners": [runner_json(1, "a")]}),
                ),
        )
        .mount(&server)
        .await;
    let source = GitHubSource::builder()
        .base_url(server.uri())
        .credentials(runner_monitor_github::Credentials::token(
            SecretString::from("t"),
        ))
        .build()
        .unwrap();
    let error = source.observe(&org()).await.unwrap_err();
    assert!(
        matches!(error, SourceError::InvalidResponse { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("outside the API base URL"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn ghes_base_path_without_rate_limit_headers() {
    let github = FakeGitHub::builder()
        .path_prefix("/api/v3")
        .without_rate_limit()
        .start()
        .await
        .unwrap();
    github.add_runners(&org(), "r", 120);
    assert!(github.base_url().ends_with("/api/v3"));
    let source = github.source_builder().build().unwrap();
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 120);
    assert_eq!(source.rate_limit(), None);
    github.reset_requests();
    assert_eq!(source.observe(&org()).await.unwrap().runners.len(), 120);
    assert_eq!(github.requests().not_modified(), 2);

    // Without the prefix the fake has nothing there: the base path really is used.
    let wrong = GitHubSource::builder()
        .base_url(format!("http://{}", github.addr()))
        .credentials(github.credentials())
        .build()
        .unwrap();
    assert!(matches!(
        wrong.observe(&org()).await,
        Err(SourceError::NotFound { .. })
    ));
}

#[tokio::test]
async fn repo_org_and_enterprise_scopes_side_by_side() {
    let github = FakeGitHub::start().await.unwrap();
    let repo = Scope::repo("acme", "api");
    let enterprise = Scope::enterprise("big-corp");
    github.add_runner(&repo, FakeRunner::new("repo-runner"));
    github.add_runner(&org(), FakeRunner::new("org-runner").ephemeral(true));
    github.add_runner(&enterprise, FakeRunner::new("ent-runner").os("windows"));
    github.add_scope(&Scope::org("empty"));
    let source = github.source_builder().build().unwrap();
    for (scope, name) in [
        (&repo, "repo-runner"),
        (&org(), "org-runner"),
        (&enterprise, "ent-runner"),
    ] {
        let observation = source.observe(scope).await.unwrap();
        assert_eq!(names(&observation), [name]);
    }
    assert!(
        source
            .observe(&Scope::org("empty"))
            .await
            .unwrap()
            .runners
            .is_empty()
    );
    let org_runner = source.observe(&org()).await.unwrap();
    assert!(org_runner.runners[0].ephemeral);
}
