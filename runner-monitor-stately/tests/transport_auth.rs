//! Access key -> token: shared by concurrent callers, refreshed before expiry, one refresh and
//! retry on a 401, and the key never in Debug, errors or logs.

mod fake_connect;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use bytes::Bytes;
use prost::Message;
use runner_monitor_stately::proto::auth::{
    GetAuthTokenRequest, GetAuthTokenResponse, get_auth_token_request,
};
use runner_monitor_stately::proto::db::GetResponse;
use runner_monitor_stately::{Credentials, StatelyClient, StatelyStore};
use secrecy::SecretString;

use fake_connect::{config, serve, unary_error, unary_ok};

const KEY: &str = "sk-live-6f1d8c0a-super-secret";

#[derive(Default)]
struct Auth {
    expires_in_s: u64,
    fetches: AtomicU64,
    token_failures: AtomicUsize,
    /// Tokens the data API rejects with 401.
    rejected: Mutex<Vec<String>>,
    reject_all: bool,
    db_calls: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

async fn server(auth: Arc<Auth>) -> String {
    let token_auth = auth.clone();
    let router = Router::new()
        .route(
            "/stately.auth.AuthService/GetAuthToken",
            post(move |headers: HeaderMap, body: Bytes| {
                let auth = token_auth.clone();
                async move {
                    assert!(headers.get("authorization").is_none());
                    if auth.token_failures.load(Ordering::SeqCst) > 0 {
                        auth.token_failures.fetch_sub(1, Ordering::SeqCst);
                        return unary_error(503, "unavailable", "auth warming up", None);
                    }
                    let request = GetAuthTokenRequest::decode(body).expect("request");
                    let Some(get_auth_token_request::Identity::AccessKey(key)) = request.identity
                    else {
                        panic!("no access key");
                    };
                    if key != KEY {
                        // A careless server echoing the credential back.
                        return unary_error(
                            401,
                            "unauthenticated",
                            &format!("unknown key {key}"),
                            None,
                        );
                    }
                    let n = auth.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                    unary_ok(&GetAuthTokenResponse {
                        auth_token: format!("t{n}"),
                        expires_in_s: auth.expires_in_s,
                    })
                }
            }),
        )
        .route(
            "/stately.db.DatabaseService/Get",
            post(move |headers: HeaderMap| {
                let auth = auth.clone();
                async move {
                    auth.db_calls.fetch_add(1, Ordering::SeqCst);
                    let bearer = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .unwrap_or_default()
                        .to_owned();
                    auth.seen.lock().expect("seen").push(bearer.clone());
                    let rejected = auth.reject_all
                        || auth.rejected.lock().expect("rejected").contains(&bearer);
                    if rejected {
                        unary_error(401, "unauthenticated", "token expired", None)
                    } else {
                        unary_ok(&GetResponse::default())
                    }
                }
            }),
        );
    serve(router).await
}

fn client_with(endpoint: &str, key: &str) -> StatelyClient {
    let credentials = Credentials::AccessKey(SecretString::from(key.to_owned()));
    StatelyClient::new(&config(endpoint, credentials)).expect("client")
}

async fn get(client: &StatelyClient) -> Result<(), runner_monitor_stately::ClientError> {
    client.get(&["/repo-x".into()]).await.map(|_| ())
}

#[tokio::test]
async fn concurrent_callers_share_one_token() {
    let auth = Arc::new(Auth {
        expires_in_s: 3600,
        ..Auth::default()
    });
    let client = client_with(&server(auth.clone()).await, KEY);
    let calls = (0..20).map(|_| get(&client));
    for result in futures::future::join_all(calls).await {
        result.expect("get");
    }
    get(&client).await.expect("later call");
    assert_eq!(
        auth.fetches.load(Ordering::SeqCst),
        1,
        "single flight, then cached"
    );
    assert!(auth.seen.lock().expect("seen").iter().all(|t| t == "t1"));
    assert_eq!(client.stats().token_fetches, 1);
}

#[tokio::test]
async fn a_token_is_replaced_once_due_for_refresh() {
    // expires_in_s 0: due for refresh at once, so every call needs a fresh token.
    let auth = Arc::new(Auth::default());
    let client = client_with(&server(auth.clone()).await, KEY);
    for _ in 0..3 {
        get(&client).await.expect("get");
    }
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 3);
    assert_eq!(*auth.seen.lock().expect("seen"), ["t1", "t2", "t3"]);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let auth = Arc::new(Auth {
        expires_in_s: 3600,
        rejected: Mutex::new(vec!["t1".into()]),
        ..Auth::default()
    });
    let client = client_with(&server(auth.clone()).await, KEY);
    get(&client)
        .await
        .expect("succeeds with the refreshed token");
    assert_eq!(*auth.seen.lock().expect("seen"), ["t1", "t2"]);
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_persistent_401_fails_after_one_refresh() {
    let auth = Arc::new(Auth {
        expires_in_s: 3600,
        reject_all: true,
        ..Auth::default()
    });
    let client = client_with(&server(auth.clone()).await, KEY);
    let error = get(&client).await.expect_err("always rejected");
    assert!(error.is_unauthenticated() && !error.is_retryable());
    assert_eq!(
        auth.db_calls.load(Ordering::SeqCst),
        2,
        "one retry, no more"
    );
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn token_fetches_are_retried_when_retryable() {
    let auth = Arc::new(Auth {
        expires_in_s: 3600,
        token_failures: AtomicUsize::new(2),
        ..Auth::default()
    });
    let client = client_with(&server(auth.clone()).await, KEY);
    get(&client).await.expect("token fetched on the third try");
    assert_eq!(auth.fetches.load(Ordering::SeqCst), 1);
    assert_eq!(auth.token_failures.load(Ordering::SeqCst), 0);
}

/// Collects every tracing event and span field as text.
struct Capture(Arc<Mutex<String>>);

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut Visitor(&mut self.0.lock().expect("log")));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Visitor(&mut self.0.lock().expect("log")));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut Visitor(&mut self.0.lock().expect("log")));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn the_access_key_never_appears_in_debug_errors_or_logs() {
    let log = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture(log.clone()));
    // Callsites first hit on another test thread may have cached "never interested".
    tracing::callsite::rebuild_interest_cache();
    let auth = Arc::new(Auth {
        expires_in_s: 3600,
        rejected: Mutex::new(vec!["t1".into()]),
        ..Auth::default()
    });
    let endpoint = server(auth.clone()).await;

    let config = config(
        &endpoint,
        Credentials::AccessKey(SecretString::from(KEY.to_owned())),
    );
    let client = StatelyClient::new(&config).expect("client");
    get(&client).await.expect("get");
    let store = StatelyStore::new(&config).expect("store");
    let debug = format!("{config:?} {client:?} {store:?}");
    assert!(!debug.contains(KEY), "Debug leaks the key: {debug}");

    // A wrong key, echoed back by the server, is scrubbed from the error.
    let wrong = "sk-wrong-a8e1b2c3";
    let error = get(&client_with(&endpoint, wrong))
        .await
        .expect_err("rejected");
    assert!(error.is_unauthenticated());
    let text = format!("{error} {error:?}");
    assert!(!text.contains(wrong), "error leaks the key: {text}");
    let store_error = runner_monitor_core::StoreError::from(error);
    assert!(!store_error.to_string().contains(wrong));

    let logged = log.lock().expect("log").clone();
    assert!(!logged.is_empty(), "the capture works");
    assert!(
        !logged.contains(KEY) && !logged.contains(wrong),
        "logs leak the key"
    );
}
