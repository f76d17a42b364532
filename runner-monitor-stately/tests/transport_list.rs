//! BeginList / ContinueList: server-streaming envelopes, continuation across many pages,
//! end-of-stream errors and broken streams.

mod fake_connect;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Version};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use runner_monitor_stately::proto::db::{
    BeginListRequest, ContinueListRequest, Item, ListFinished, ListPartialResult, ListResponse,
    ListToken, list_response,
};
use runner_monitor_stately::{ClientError, ListOptions};

use fake_connect::{client, envelope, serve, stream_body, stream_error, stream_ok, stream_request};

const TOTAL: usize = 1_000;

fn item(i: usize) -> Item {
    Item::new("Runner", format!("{i:04}").into_bytes())
}

/// Items `from..to` in chunks of 3 per message, then `finished` with a token for `to`.
fn page(from: usize, to: usize) -> Vec<ListResponse> {
    let mut out: Vec<ListResponse> = (from..to)
        .collect::<Vec<_>>()
        .chunks(3)
        .map(|chunk| ListResponse {
            response: Some(list_response::Response::Result(ListPartialResult {
                items: chunk.iter().map(|i| item(*i)).collect(),
            })),
        })
        .collect();
    out.push(ListResponse {
        response: Some(list_response::Response::Finished(ListFinished {
            token: Some(ListToken {
                token_data: to.to_string().into_bytes(),
                can_continue: to < TOTAL,
                can_sync: false,
                schema_version_id: 3,
            }),
        })),
    });
    out
}

#[tokio::test]
async fn follows_continuation_tokens_across_many_pages() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (begin_calls, continue_calls) = (calls.clone(), calls.clone());
    let router = Router::new()
        .route(
            "/stately.db.DatabaseService/BeginList",
            post(move |version: Version, headers: HeaderMap, body: Bytes| {
                begin_calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert_eq!(version, Version::HTTP_2);
                    assert_eq!(headers["content-type"], "application/connect+proto");
                    let request: BeginListRequest = stream_request(body);
                    assert_eq!(request.key_path_prefix, "/repo-a%/b");
                    assert_eq!(request.limit, 7);
                    assert_eq!((request.store_id, request.schema_version_id), (77, 3));
                    stream_ok(&page(0, 7))
                }
            }),
        )
        .route(
            "/stately.db.DatabaseService/ContinueList",
            post(move |body: Bytes| {
                continue_calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let request: ContinueListRequest = stream_request(body);
                    let from: usize = String::from_utf8(request.token_data)
                        .expect("utf8")
                        .parse()
                        .expect("offset");
                    stream_ok(&page(from, (from + 7).min(TOTAL)))
                }
            }),
        );
    let client = client(&serve(router).await);
    let options = ListOptions {
        limit: 7,
        ..ListOptions::default()
    };
    let items = client.list_all("/repo-a%/b", &options).await.expect("list");
    assert_eq!(items.len(), TOTAL);
    assert!(
        items.iter().enumerate().all(|(i, it)| *it == item(i)),
        "in order, none lost"
    );
    let pages = TOTAL.div_ceil(7);
    assert_eq!(calls.load(Ordering::SeqCst), pages);
    assert_eq!(client.stats().round_trips, pages as u64);
}

#[tokio::test]
async fn reassembles_envelopes_split_across_network_chunks() {
    let router = Router::new().route(
        "/stately.db.DatabaseService/BeginList",
        post(|| async {
            let mut wire = Vec::new();
            for message in page(990, TOTAL) {
                wire.extend(envelope(0, &prost::Message::encode_to_vec(&message)));
            }
            wire.extend(envelope(2, b"{}"));
            let chunks: Vec<Result<Bytes, std::io::Error>> = wire
                .chunks(3)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Response::builder()
                .header("content-type", "application/connect+proto")
                .body(Body::from_stream(futures::stream::iter(chunks)))
                .expect("response")
        }),
    );
    let client = client(&serve(router).await);
    let page = client
        .begin_list("/repo-x", &ListOptions::default())
        .await
        .expect("list");
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.continuation(), None, "the last page cannot continue");
}

#[tokio::test]
async fn an_end_of_stream_error_fails_the_list() {
    let router = Router::new().route(
        "/stately.db.DatabaseService/BeginList",
        post(|| async { stream_error(&page(0, 3)[..1], "permission_denied", "no access", None) }),
    );
    let error = client(&serve(router).await)
        .list_all("/repo-x", &ListOptions::default())
        .await
        .expect_err("the stream ended with an error");
    assert_eq!(
        error.code(),
        Some(runner_monitor_stately::connect::errors::Code::PermissionDenied)
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_stream_cut_short_is_retried() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let router = Router::new().route(
        "/stately.db.DatabaseService/BeginList",
        post(move || {
            let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    // Two messages and no end-of-stream: the connection dropped.
                    let mut wire = Vec::new();
                    for message in &page(0, 3)[..1] {
                        wire.extend(envelope(0, &prost::Message::encode_to_vec(message)));
                    }
                    stream_body(wire)
                } else {
                    stream_error(&page(0, 3), "unavailable", "try later", Some("StoreInUse"))
                }
            }
        }),
    );
    let error = client(&serve(router).await)
        .list_all("/repo-x", &ListOptions::default())
        .await
        .expect_err("still failing");
    assert!(error.is_retryable());
    assert_eq!(calls.load(Ordering::SeqCst), 4, "every attempt used");
    let ClientError::Connect(connect) = error else {
        panic!("the last attempt's error is reported")
    };
    assert_eq!(connect.stately_code(), Some("StoreInUse"));
}
