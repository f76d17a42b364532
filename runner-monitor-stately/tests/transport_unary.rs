//! Unary calls (Put, Get, Delete) against purpose-built loopback Connect servers: what goes on the
//! wire, how each error class is decoded, and which ones are retried.

mod fake_connect;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{HeaderMap, Version};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use prost::Message;
use runner_monitor_core::StoreError;
use runner_monitor_stately::ClientError;
use runner_monitor_stately::connect::errors::Code;
use runner_monitor_stately::proto::db::{
    DeleteRequest, DeleteResponse, DeleteResult, GetRequest, GetResponse, Item, PutItem,
    PutRequest, PutResponse,
};

use fake_connect::{client, serve, unary_error, unary_ok};

#[tokio::test]
async fn put_get_delete_speak_binary_protobuf_over_h2c() {
    let router = Router::new()
        .route(
            "/stately.db.DatabaseService/Put",
            post(
                |version: Version, headers: HeaderMap, body: Bytes| async move {
                    assert_eq!(version, Version::HTTP_2, "h2c with prior knowledge");
                    assert_eq!(headers["content-type"], "application/proto");
                    assert_eq!(headers["connect-protocol-version"], "1");
                    assert_eq!(headers["x-stately-storeid"], "77");
                    assert!(headers.get("authorization").is_none(), "no-auth mode");
                    let request = PutRequest::decode(body).expect("PutRequest");
                    assert_eq!(
                        (
                            request.store_id,
                            request.schema_id,
                            request.schema_version_id
                        ),
                        (77, 99, 3)
                    );
                    let mut items: Vec<Item> =
                        request.puts.into_iter().filter_map(|p| p.item).collect();
                    items[0].item_type.push_str("!stored");
                    unary_ok(&PutResponse { items })
                },
            ),
        )
        .route(
            "/stately.db.DatabaseService/Get",
            post(|body: Bytes| async move {
                let request = GetRequest::decode(body).expect("GetRequest");
                assert_eq!(request.gets.len(), 2);
                assert_eq!(request.gets[1].key_path, "/repo-a%/b");
                assert_eq!((request.schema_id, request.schema_version_id), (99, 3));
                unary_ok(&GetResponse {
                    items: vec![Item::new("Repository", vec![0x38, 0x01])],
                })
            }),
        )
        .route(
            "/stately.db.DatabaseService/Delete",
            post(|body: Bytes| async move {
                let request = DeleteRequest::decode(body).expect("DeleteRequest");
                unary_ok(&DeleteResponse {
                    results: request
                        .deletes
                        .into_iter()
                        .map(|d| DeleteResult {
                            key_path: d.key_path,
                        })
                        .collect(),
                })
            }),
        );
    let client = client(&serve(router).await);
    let stored = client
        .put(vec![PutItem::new(Item::new("Runner", vec![1, 2, 3]))])
        .await
        .expect("put");
    assert_eq!(stored[0].item_type, "Runner!stored");
    assert_eq!(stored[0].proto(), [1, 2, 3]);
    let found = client
        .get(&["/repo-x".into(), "/repo-a%/b".into()])
        .await
        .expect("get");
    assert_eq!(found.len(), 1, "missing items are simply absent");
    client.delete(&["/repo-x".into()]).await.expect("delete");
    let stats = client.stats();
    assert_eq!((stats.round_trips, stats.writes, stats.retries), (3, 2, 0));
}

/// A server that fails the first `failures` calls with `failure`, then answers an empty Get.
async fn flaky(failures: usize, failure: fn() -> Response) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let router = Router::new().route(
        "/stately.db.DatabaseService/Get",
        post(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < failures {
                    failure()
                } else {
                    unary_ok(&GetResponse::default())
                }
            }
        }),
    );
    (serve(router).await, calls)
}

async fn get_once(endpoint: &str) -> Result<Vec<Item>, ClientError> {
    client(endpoint).get(&["/repo-x".into()]).await
}

#[tokio::test]
async fn retryable_errors_are_retried_until_success() {
    let retryable: [fn() -> Response; 4] = [
        || unary_error(503, "unavailable", "down", None),
        || unary_error(409, "aborted", "race", Some("ConcurrentModification")),
        || {
            unary_error(
                429,
                "resource_exhausted",
                "slow down",
                Some("StoreThroughputExceeded"),
            )
        },
        || {
            unary_error(
                400,
                "failed_precondition",
                "old",
                Some("CachedSchemaTooOld"),
            )
        },
    ];
    for failure in retryable {
        let (endpoint, calls) = flaky(2, failure).await;
        get_once(&endpoint)
            .await
            .expect("succeeds on the third attempt");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}

#[tokio::test]
async fn retries_are_bounded() {
    let (endpoint, calls) =
        flaky(usize::MAX, || unary_error(503, "unavailable", "down", None)).await;
    let error = get_once(&endpoint).await.expect_err("never succeeds");
    assert!(error.is_retryable());
    assert_eq!(calls.load(Ordering::SeqCst), 4, "max_attempts is 4");
    assert!(matches!(
        StoreError::from(error),
        StoreError::Unavailable { .. }
    ));
}

/// A failure, its Connect code, its StatelyDB code, and the StoreError class it must become.
type ErrorCase = (
    fn() -> Response,
    Code,
    Option<&'static str>,
    fn(&StoreError) -> bool,
);

#[tokio::test]
async fn each_error_class_is_decoded_and_not_retried() {
    let cases: [ErrorCase; 5] = [
        (
            || unary_error(403, "permission_denied", "no", None),
            Code::PermissionDenied,
            None,
            |e| matches!(e, StoreError::Unauthorized { .. }),
        ),
        (
            || unary_error(400, "invalid_argument", "bad key path", None),
            Code::InvalidArgument,
            None,
            |e| matches!(e, StoreError::Other { .. }),
        ),
        (
            || {
                unary_error(
                    400,
                    "failed_precondition",
                    "exists",
                    Some("ConditionalCheckFailed"),
                )
            },
            Code::FailedPrecondition,
            Some("ConditionalCheckFailed"),
            |e| matches!(e, StoreError::Other { .. }),
        ),
        (
            || {
                unary_error(
                    400,
                    "failed_precondition",
                    "v",
                    Some("SchemaVersionMismatch"),
                )
            },
            Code::FailedPrecondition,
            Some("SchemaVersionMismatch"),
            |e| matches!(e, StoreError::Other { .. }),
        ),
        (
            || unary_error(404, "not_found", "no such store", Some("StoreNotFound")),
            Code::NotFound,
            Some("StoreNotFound"),
            |e| matches!(e, StoreError::Other { .. }),
        ),
    ];
    for (failure, code, stately, store_class) in cases {
        let (endpoint, calls) = flaky(usize::MAX, failure).await;
        let error = get_once(&endpoint).await.expect_err("fails");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{code}: not retried");
        let ClientError::Connect(connect) = &error else {
            panic!("expected a Connect error, got {error:?}");
        };
        assert_eq!(connect.code, code);
        assert_eq!(connect.stately_code(), stately);
        let store = StoreError::from(error);
        assert!(store_class(&store), "{code}: {store:?}");
        assert!(!store.is_retryable());
    }
}

#[tokio::test]
async fn a_proxy_error_page_is_classified_by_status() {
    let (endpoint, calls) = flaky(1, || {
        Response::builder()
            .status(502)
            .body(axum::body::Body::from("<html>Bad Gateway</html>"))
            .expect("response")
    })
    .await;
    get_once(&endpoint).await.expect("502 is retried");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let error = get_once(&endpoint).await.expect_err("nothing listens");
    assert!(matches!(error, ClientError::Transport(_)), "{error:?}");
    assert!(matches!(
        StoreError::from(error),
        StoreError::Unavailable { .. }
    ));
}
