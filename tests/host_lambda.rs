//! The Lambda handlers with constructed events, a local fake of the AWS Parameters and Secrets
//! Lambda Extension, the fake GitHub and a loopback Slack webhook.
#![cfg(feature = "lambda")]
#![allow(clippy::unwrap_used)]

mod e2e_support;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use e2e_support::World;
use runner_monitor::github::fake::Fault;
use runner_monitor::host::config::StoreConfig;
use runner_monitor::host::lambda::{self, MonitorFunction, SlackFunction, original};
use runner_monitor::host::secrets::{SecretResolver, SsmClient, SsmError};
use runner_monitor::slack::signature::sign;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

const SESSION_TOKEN: &str = "session-token-for-tests";

/// The extension: `GET /systemsmanager/parameters/get?name=..&withDecryption=true`.
#[derive(Clone, Default)]
struct FakeExtension {
    parameters: Arc<Mutex<BTreeMap<String, String>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

async fn get_parameter(
    State(fake): State<FakeExtension>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let name = query.get("name").cloned().unwrap_or_default();
    fake.requests.lock().unwrap().push(name.clone());
    let token = headers
        .get("x-aws-parameters-secrets-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(SESSION_TOKEN) {
        return (
            StatusCode::UNAUTHORIZED,
            "missing or wrong token".to_owned(),
        );
    }
    if query.get("withDecryption").map(String::as_str) != Some("true") {
        return (
            StatusCode::BAD_REQUEST,
            "withDecryption expected".to_owned(),
        );
    }
    match fake.parameters.lock().unwrap().get(&name) {
        Some(value) => (
            StatusCode::OK,
            json!({
                "Parameter": {
                    "ARN": format!("arn:aws:ssm:us-east-1:123456789012:parameter{name}"),
                    "DataType": "text",
                    "LastModifiedDate": "2025-01-01T00:00:00.000Z",
                    "Name": name,
                    "Selector": null,
                    "SourceResult": null,
                    "Type": "SecureString",
                    "Value": value,
                    "Version": 1
                },
                "ResultMetadata": {}
            })
            .to_string(),
        ),
        None => (
            StatusCode::BAD_REQUEST,
            "ParameterNotFound: an error occurred while retrieving the parameter".to_owned(),
        ),
    }
}

impl FakeExtension {
    async fn start(parameters: &[(&str, String)]) -> (FakeExtension, String) {
        let fake = FakeExtension::default();
        fake.parameters.lock().unwrap().extend(
            parameters
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone())),
        );
        let app = axum::Router::new()
            .route("/systemsmanager/parameters/get", get(get_parameter))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (fake, url)
    }
}

fn ssm_client(url: &str) -> SsmClient {
    SsmClient::new(url, SecretString::from(SESSION_TOKEN)).unwrap()
}

#[tokio::test]
async fn the_extension_client_reads_parameters_and_reports_problems() {
    let (fake, url) =
        FakeExtension::start(&[(original::GITHUB_TOKEN, "ghp_hunter2".to_owned())]).await;
    let ssm = ssm_client(&url);
    let token = ssm.get(original::GITHUB_TOKEN).await.unwrap();
    assert_eq!(token.expose_secret(), "ghp_hunter2");
    assert!(!format!("{ssm:?}").contains(SESSION_TOKEN));

    let missing = ssm.get(original::SLACK_WEBHOOK).await.unwrap_err();
    assert!(matches!(missing, SsmError::NotFound { .. }), "{missing}");
    assert!(
        ssm.get_optional(original::SLACK_WEBHOOK)
            .await
            .unwrap()
            .is_none()
    );

    let wrong = SsmClient::new(&url, SecretString::from("other")).unwrap();
    let error = wrong
        .get(original::GITHUB_TOKEN)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("401") && error.contains("ssm:GetParameter"),
        "{error}"
    );
    assert!(
        !error.contains("hunter2") && !error.contains("other"),
        "{error}"
    );
    assert_eq!(fake.requests.lock().unwrap().len(), 4);

    let unreachable = SsmClient::new("http://127.0.0.1:9", SecretString::from(SESSION_TOKEN))
        .unwrap()
        .get("/x")
        .await
        .unwrap_err()
        .to_string();
    assert!(unreachable.contains("layer"), "{unreachable}");
}

#[tokio::test]
async fn the_client_comes_from_the_lambda_environment() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("AWS_SESSION_TOKEN", "abc"),
        ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2999"),
    ]);
    let client = SsmClient::from_env(|name| env.get(name).map(|v| (*v).to_owned()))
        .unwrap()
        .unwrap();
    assert_eq!(client.base_url(), "http://localhost:2999");
    assert!(SsmClient::from_env(|_| None).is_none());
}

/// The original deployment's parameters, pointing at the loopback fakes.
fn original_parameters(world: &World) -> Vec<(&'static str, String)> {
    vec![
        (
            original::GITHUB_TOKEN,
            world.github.token().expose_secret().to_owned(),
        ),
        (
            original::REPOSITORIES,
            json!([world.api.to_string()]).to_string(),
        ),
        (original::ORGANIZATIONS, "[\"acme\"]".to_owned()),
        (original::SLACK_WEBHOOK, world.slack.url()),
        (
            original::SLACK_SIGNING_SECRET,
            e2e_support::SIGNING_SECRET.to_owned(),
        ),
        (original::STATELYDB_STORE_ID, "4242".to_owned()),
        (original::STATELYDB_REGION, "us-west-2".to_owned()),
        (original::STATELYDB_ACCESS_KEY, "stately-key".to_owned()),
    ]
}

fn env(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

#[tokio::test]
async fn an_original_deployment_configures_itself_from_its_parameters() {
    let world = World::start().await;
    let (_fake, url) = FakeExtension::start(&original_parameters(&world)).await;
    let secrets = SecretResolver::from_map(HashMap::new()).with_ssm(ssm_client(&url));
    let config = lambda::load(Vec::new(), &secrets).await.unwrap();
    let scopes: Vec<String> = config
        .github
        .scopes
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(scopes, ["acme/api", "org:acme"]);
    let StoreConfig::Stately(stately) = &config.store else {
        panic!("{:?}", config.store)
    };
    assert_eq!(stately.store_id, Some(4242));
    assert_eq!(stately.region.as_deref(), Some("us-west-2"));
    assert_eq!(
        stately
            .access_key
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("ssm:/github-runner-monitor/statelydb-access-key")
    );
    assert_eq!(config.sinks.len(), 1);
    assert_eq!(config.sinks[0].name(), "slack");
    assert!(!config.http.enabled);
    let refs: Vec<String> = config
        .secret_refs()
        .iter()
        .map(|(_, r)| r.to_string())
        .collect();
    assert!(
        refs.iter()
            .all(|r| r.starts_with("ssm:/github-runner-monitor/")),
        "{refs:?}"
    );

    // The environment wins over the parameters.
    let config = lambda::load(
        env(&[
            ("RUNNER_MONITOR_GITHUB__SCOPES", "other/repo".to_owned()),
            ("RUNNER_MONITOR_STORE__KIND", "memory".to_owned()),
            ("RUNNER_MONITOR_SINKS", "[]".to_owned()),
        ]),
        &secrets,
    )
    .await
    .unwrap();
    assert_eq!(config.github.scopes.len(), 1);
    assert_eq!(config.store, StoreConfig::Memory);
    assert!(config.sinks.is_empty());
}

/// Environment for a function on the fakes: SQLite instead of StatelyDB, the fake GitHub's URL.
fn function_env(world: &World) -> Vec<(String, String)> {
    env(&[
        ("RUNNER_MONITOR_GITHUB__API_URL", world.github.base_url()),
        (
            "RUNNER_MONITOR_STORE",
            format!(
                "{{ kind = \"sqlite\", path = \"{}\" }}",
                world.db_path().display()
            ),
        ),
        ("RUNNER_MONITOR_POLICY__OPEN_AFTER", "0s".to_owned()),
        // Each invocation sends what it planned (with grouping it goes out the next one).
        ("RUNNER_MONITOR_POLICY__GROUP_WAIT", "0s".to_owned()),
    ])
}

fn scheduled_event() -> aws_lambda_events::eventbridge::EventBridgeEvent<Value> {
    serde_json::from_str(include_str!("../deploy/events/scheduled.json")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_function_runs_a_cycle_per_event_and_fails_when_it_cannot() {
    let world = World::start().await;
    let (fake, url) = FakeExtension::start(&original_parameters(&world)).await;
    let secrets = SecretResolver::from_map(HashMap::new()).with_ssm(ssm_client(&url));
    let config = lambda::load(function_env(&world), &secrets).await.unwrap();
    let function = MonitorFunction::new(config, &secrets).await.unwrap();
    let requests_at_init = fake.requests.lock().unwrap().len();

    let report = function.handle(scheduled_event()).await.unwrap();
    assert_eq!(report.scopes.len(), 2);
    assert_eq!(report.open_outages(), 0);
    world.github.set_online(&world.api, "build-1", false);
    let report = function.handle(scheduled_event()).await.unwrap();
    assert_eq!(report.open_outages(), 1);
    assert_eq!(report.deliveries.sent, 1);
    let messages = world.wait_messages(1).await;
    assert!(messages[0].contains("build-1"), "{messages:?}");
    let answer = serde_json::to_value(&report).unwrap();
    assert_eq!(answer["scopes"][0]["scope"], "acme/api");
    assert_eq!(
        fake.requests.lock().unwrap().len(),
        requests_at_init,
        "clients are built once: no SSM request per invocation"
    );

    world.github.inject(Fault::status(401).always());
    let failed = function.handle(scheduled_event()).await.unwrap_err();
    assert!(failed.reason.contains("all 2 scopes"), "{failed}");
    assert!(
        !failed
            .to_string()
            .contains(world.github.token().expose_secret())
    );
}

fn slash_event(body: &str, secret: &str, base64: bool) -> Value {
    let mut event: Value =
        serde_json::from_str(include_str!("../deploy/events/slash-command.json")).unwrap();
    let ts = chrono::Utc::now().timestamp().to_string();
    let signature = sign(&SecretString::from(secret), &ts, body.as_bytes());
    event["headers"]["x-slack-request-timestamp"] = json!(ts);
    event["headers"]["x-slack-signature"] = json!(signature);
    event["isBase64Encoded"] = json!(base64);
    event["body"] = if base64 {
        use base64::Engine as _;
        json!(base64::engine::general_purpose::STANDARD.encode(body))
    } else {
        json!(body)
    };
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slash_function_answers_signed_api_gateway_events() {
    let world = World::start().await;
    let (_fake, url) = FakeExtension::start(&original_parameters(&world)).await;
    let secrets = SecretResolver::from_map(HashMap::new()).with_ssm(ssm_client(&url));
    let config = lambda::load(function_env(&world), &secrets).await.unwrap();
    MonitorFunction::new(config.clone(), &secrets)
        .await
        .unwrap()
        .handle(scheduled_event())
        .await
        .unwrap();
    let function = SlackFunction::new(&config, &secrets).await.unwrap();
    let secret = e2e_support::SIGNING_SECRET;

    let body = "command=%2Frunner-status&text=acme%2Fapi&user_id=U1&channel_id=C1";
    let answer = function.handle(slash_event(body, secret, true)).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(answer["headers"]["content-type"], "application/json");
    let text = answer["body"].as_str().unwrap();
    assert!(
        text.contains("build-1") && text.contains("build-2"),
        "{text}"
    );

    // REST API (payload 1.0) events, plain bodies.
    let mut v1 = slash_event("command=%2Frunner-help&text=", secret, false);
    v1.as_object_mut().unwrap().remove("version");
    v1["httpMethod"] = json!("POST");
    v1["path"] = json!("/slack/commands");
    v1["requestContext"] = json!({ "httpMethod": "POST", "stage": "prod" });
    let answer = function.handle(v1).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");

    let forged = function
        .handle(slash_event(body, "not-the-secret", true))
        .await;
    assert_eq!(forged["statusCode"], 401, "{forged}");

    // Button clicks: the /slack/interactions route reaches the interaction handler.
    let click = "payload=%7B%22type%22%3A%22view_closed%22%7D";
    let mut interaction = slash_event(click, secret, true);
    interaction["rawPath"] = json!("/slack/interactions");
    let answer = function.handle(interaction.clone()).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(answer["body"], "{}", "{answer}");
    let replayed = function.handle(interaction).await;
    assert_eq!(replayed["statusCode"], 401, "{replayed}");
    let mut as_command = slash_event(click, secret, true);
    as_command["rawPath"] = json!("/slack/commands");
    let answer = function.handle(as_command).await;
    assert_eq!(
        answer["statusCode"], 400,
        "a payload is no command: {answer}"
    );
    let malformed = function
        .handle(json!({ "version": "2.0", "body": 5 }))
        .await;
    assert_eq!(malformed["statusCode"], 400, "{malformed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_functions_share_a_statelydb_store_configured_by_the_original_parameters() {
    use runner_monitor::stately::emulator::Emulator;
    let world = World::start().await;
    let stately = Emulator::builder()
        .store_id(4242)
        .access_key("stately-key")
        .require_auth(true)
        .start()
        .await
        .unwrap();
    let mut parameters = original_parameters(&world);
    parameters.push((
        original::STATELYDB_SCHEMA_ID,
        stately.schema_id().to_string(),
    ));
    let (_fake, url) = FakeExtension::start(&parameters).await;
    let secrets = SecretResolver::from_map(HashMap::new()).with_ssm(ssm_client(&url));
    let env = env(&[
        ("RUNNER_MONITOR_GITHUB__API_URL", world.github.base_url()),
        ("RUNNER_MONITOR_STORE__ENDPOINT", stately.endpoint()),
        ("RUNNER_MONITOR_POLICY__OPEN_AFTER", "0s".to_owned()),
        // Each invocation sends what it planned (with grouping it goes out the next one).
        ("RUNNER_MONITOR_POLICY__GROUP_WAIT", "0s".to_owned()),
    ]);
    let config = lambda::load(env, &secrets).await.unwrap();
    assert_eq!(config.store.kind(), "stately");

    let monitor = MonitorFunction::new(config.clone(), &secrets)
        .await
        .unwrap();
    monitor.handle(scheduled_event()).await.unwrap();
    world.github.set_online(&world.api, "build-1", false);
    let report = monitor.handle(scheduled_event()).await.unwrap();
    assert_eq!(report.open_outages(), 1, "{report:?}");
    assert!(world.wait_messages(1).await[0].contains("build-1"));

    let slack = SlackFunction::new(&config, &secrets).await.unwrap();
    let body = "command=%2Frunner-history&text=build-1+acme%2Fapi";
    let answer = slack
        .handle(slash_event(body, e2e_support::SIGNING_SECRET, true))
        .await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    let text = answer["body"].as_str().unwrap();
    assert!(
        text.contains("build-1") && text.contains("Ongoing"),
        "{text}"
    );
}
