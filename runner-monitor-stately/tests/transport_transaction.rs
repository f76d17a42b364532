//! The bidirectional Transaction stream against a loopback server that answers each message as it
//! arrives (so a client that buffered its request body would hang), and commit outcomes.

mod fake_connect;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Version;
use axum::response::Response;
use axum::routing::post;
use bytes::{Buf, BytesMut};
use futures::StreamExt as _;
use futures::channel::mpsc;
use prost::Message;
use runner_monitor_stately::proto::db::{
    Item, ListFinished, ListPartialResult, ListToken, PutItem,
};
use runner_monitor_stately::proto::transaction::{
    GeneratedId, TransactionFinished, TransactionGetResponse, TransactionListResponse,
    TransactionPutAck, TransactionRequest, TransactionResponse, generated_id,
    transaction_list_response, transaction_request::Command, transaction_response,
};
use runner_monitor_stately::{ClientError, ListOptions, StatelyClient};

use fake_connect::{client, envelope, error_json, serve};

#[derive(Clone, Copy, PartialEq)]
enum OnCommit {
    Commit,
    ConcurrentModification,
}

type Log = Arc<Mutex<Vec<String>>>;

fn respond(message_id: u32, result: transaction_response::Result) -> Vec<u8> {
    envelope(
        0,
        &TransactionResponse {
            message_id,
            result: Some(result),
        }
        .encode_to_vec(),
    )
}

/// Answers every request message as soon as it is decoded.
async fn transaction_server(on_commit: OnCommit, log: Log) -> String {
    let router = Router::new().route(
        "/stately.db.DatabaseService/Transaction",
        post(move |version: Version, body: Body| {
            let log = log.clone();
            async move {
                assert_eq!(version, Version::HTTP_2, "bidi needs HTTP/2");
                let (tx, rx) = mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
                tokio::spawn(async move {
                    let mut stream = body.into_data_stream();
                    let mut buffer = BytesMut::new();
                    let mut expected_id = 1;
                    let mut sequence = 0;
                    while let Some(Ok(chunk)) = stream.next().await {
                        buffer.extend_from_slice(&chunk);
                        while buffer.len() >= 5 {
                            let len =
                                u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]])
                                    as usize;
                            if buffer.len() < 5 + len {
                                break;
                            }
                            buffer.advance(5);
                            let request =
                                TransactionRequest::decode(buffer.split_to(len)).expect("request");
                            assert_eq!(request.message_id, expected_id, "ids increase from 1");
                            expected_id += 1;
                            let id = request.message_id;
                            let reply = match request.command.expect("command") {
                                Command::Begin(begin) => {
                                    assert_eq!(id, 1, "begin comes first");
                                    assert_eq!(
                                        (begin.store_id, begin.schema_id, begin.schema_version_id),
                                        (77, 99, 3)
                                    );
                                    log.lock().expect("log").push("begin".into());
                                    Vec::new()
                                }
                                Command::GetItems(get) => {
                                    log.lock()
                                        .expect("log")
                                        .push(format!("get {}", get.gets.len()));
                                    respond(
                                        id,
                                        transaction_response::Result::GetResults(
                                            TransactionGetResponse {
                                                items: vec![Item::new("Repository", vec![])],
                                            },
                                        ),
                                    )
                                }
                                Command::BeginList(list) => {
                                    log.lock()
                                        .expect("log")
                                        .push(format!("list {}", list.key_path_prefix));
                                    let mut out = respond(
                                        id,
                                        transaction_response::Result::ListResults(
                                            TransactionListResponse {
                                                result: Some(
                                                    transaction_list_response::Result::Result(
                                                        ListPartialResult {
                                                            items: vec![Item::new(
                                                                "Runner",
                                                                vec![1],
                                                            )],
                                                        },
                                                    ),
                                                ),
                                            },
                                        ),
                                    );
                                    out.extend(respond(
                                        id,
                                        transaction_response::Result::ListResults(
                                            TransactionListResponse {
                                                result: Some(
                                                    transaction_list_response::Result::Finished(
                                                        ListFinished {
                                                            token: Some(ListToken {
                                                                token_data: b"more".to_vec(),
                                                                can_continue: true,
                                                                ..ListToken::default()
                                                            }),
                                                        },
                                                    ),
                                                ),
                                            },
                                        ),
                                    ));
                                    out
                                }
                                Command::ContinueList(next) => {
                                    assert_eq!(next.token_data, b"more");
                                    log.lock().expect("log").push("continue".into());
                                    let mut out = respond(
                                        id,
                                        transaction_response::Result::ListResults(
                                            TransactionListResponse {
                                                result: Some(
                                                    transaction_list_response::Result::Result(
                                                        ListPartialResult {
                                                            items: vec![Item::new(
                                                                "Runner",
                                                                vec![2],
                                                            )],
                                                        },
                                                    ),
                                                ),
                                            },
                                        ),
                                    );
                                    out.extend(respond(
                                        id,
                                        transaction_response::Result::ListResults(
                                            TransactionListResponse {
                                                result: Some(
                                                    transaction_list_response::Result::Finished(
                                                        ListFinished { token: None },
                                                    ),
                                                ),
                                            },
                                        ),
                                    ));
                                    out
                                }
                                Command::PutItems(put) => {
                                    log.lock()
                                        .expect("log")
                                        .push(format!("put {}", put.puts.len()));
                                    let generated_ids = put
                                        .puts
                                        .iter()
                                        .map(|_| {
                                            sequence += 1;
                                            GeneratedId {
                                                value: Some(generated_id::Value::Uint(sequence)),
                                            }
                                        })
                                        .collect();
                                    respond(
                                        id,
                                        transaction_response::Result::PutAck(TransactionPutAck {
                                            generated_ids,
                                        }),
                                    )
                                }
                                Command::DeleteItems(delete) => {
                                    log.lock()
                                        .expect("log")
                                        .push(format!("delete {}", delete.deletes.len()));
                                    Vec::new()
                                }
                                Command::Commit(_) => {
                                    log.lock().expect("log").push("commit".into());
                                    if on_commit == OnCommit::ConcurrentModification {
                                        let end = format!(
                                            "{{\"error\":{}}}",
                                            error_json(
                                                "aborted",
                                                "read items changed",
                                                Some("ConcurrentModification")
                                            )
                                        );
                                        envelope(2, end.as_bytes())
                                    } else {
                                        let mut out = respond(
                                            id,
                                            transaction_response::Result::Finished(
                                                TransactionFinished {
                                                    committed: true,
                                                    ..TransactionFinished::default()
                                                },
                                            ),
                                        );
                                        out.extend(envelope(2, b"{}"));
                                        out
                                    }
                                }
                                Command::Abort(_) => {
                                    log.lock().expect("log").push("abort".into());
                                    let mut out = respond(
                                        id,
                                        transaction_response::Result::Finished(
                                            TransactionFinished::default(),
                                        ),
                                    );
                                    out.extend(envelope(2, b"{}"));
                                    out
                                }
                            };
                            if !reply.is_empty() && tx.unbounded_send(Ok(reply)).is_err() {
                                return;
                            }
                        }
                    }
                });
                Response::builder()
                    .header("content-type", "application/connect+proto")
                    .body(Body::from_stream(rx))
                    .expect("response")
            }
        }),
    );
    serve(router).await
}

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the exchange must not hang (bidirectional streaming)")
}

#[tokio::test]
async fn a_transaction_exchanges_messages_one_answer_at_a_time() {
    let log = Log::default();
    let client = client(&transaction_server(OnCommit::Commit, log.clone()).await);
    let ids = within(client.transaction(|mut tx| async move {
        let found = tx.get(&["/repo-x".into()]).await?;
        assert_eq!(found.len(), 1);
        let listed = tx.list_all("/repo-x", &ListOptions::default()).await?;
        assert_eq!(listed.len(), 2, "continued within the transaction");
        let ids = tx
            .put(vec![
                PutItem::new(Item::new("Delivery", vec![])),
                PutItem::new(Item::new("Delivery", vec![])),
            ])
            .await?;
        tx.delete(&["/repo-x/runner-a".into()])?;
        let finished = tx.commit().await?;
        assert!(finished.committed);
        Ok(ids)
    }))
    .await
    .expect("committed");
    let seqs: Vec<_> = ids.into_iter().filter_map(|g| g.value).collect();
    assert_eq!(
        seqs,
        [generated_id::Value::Uint(1), generated_id::Value::Uint(2)]
    );
    assert_eq!(
        *log.lock().expect("log"),
        [
            "begin",
            "get 1",
            "list /repo-x",
            "continue",
            "put 2",
            "delete 1",
            "commit"
        ]
    );
    let stats = client.stats();
    assert_eq!(stats.transactions, 1);
    assert_eq!(stats.writes, 1, "one committed transaction that wrote");
    assert_eq!(stats.round_trips, 5, "get, list, continue, put, commit");
}

#[tokio::test]
async fn concurrent_modification_at_commit_is_reported_and_retryable() {
    let log = Log::default();
    let client: StatelyClient =
        client(&transaction_server(OnCommit::ConcurrentModification, log.clone()).await);
    let outcome = within(client.transaction(|mut tx| async move {
        tx.get(&["/repo-x".into()]).await?;
        tx.put(vec![PutItem::new(Item::new("Repository", vec![]))])
            .await?;
        match tx.commit().await {
            Err(error) if error.is_concurrent_modification() => Ok("lost"),
            Err(error) => Err(error),
            Ok(_) => Ok("won"),
        }
    }))
    .await
    .expect("mapped inside the body");
    assert_eq!(outcome, "lost");
    assert_eq!(client.stats().writes, 0);

    // Left as an error, it is retried (a fresh transaction each time) within the policy.
    log.lock().expect("log").clear();
    let error = within(client.transaction(|mut tx| async move {
        tx.get(&["/repo-x".into()]).await?;
        tx.commit().await.map(|_| ())
    }))
    .await
    .expect_err("always loses");
    assert!(error.is_concurrent_modification() && error.is_retryable());
    let begins = log
        .lock()
        .expect("log")
        .iter()
        .filter(|l| *l == "begin")
        .count();
    assert_eq!(begins, 4, "one transaction per attempt");
}

#[tokio::test]
async fn abort_ends_the_transaction_without_writing() {
    let log = Log::default();
    let client = client(&transaction_server(OnCommit::Commit, log.clone()).await);
    within(client.transaction(|mut tx| async move {
        tx.get(&["/repo-x".into()]).await?;
        tx.abort().await;
        Ok::<_, ClientError>(())
    }))
    .await
    .expect("aborted");
    assert_eq!(*log.lock().expect("log"), ["begin", "get 1", "abort"]);
    assert_eq!(client.stats().writes, 0);
}
