//! The bidirectional Transaction stream: each request message is answered as it arrives, while
//! the client keeps streaming (HTTP/2), and the stream ends with `finished` and the trailer.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Body;
use axum::http::Response;
use bytes::Bytes;
use futures::Stream;
use prost::Message as _;
use tokio::sync::mpsc;

use super::super::connect::{self, EnvelopeReader};
use super::super::data::parse_key;
use super::super::error::{Code, ConnectError};
use super::super::list::ListQuery;
use super::super::proto::{
    DeleteResult, TransactionFinished, TransactionGetResponse, TransactionListResponse,
    TransactionPutAck, TransactionRequest, TransactionResponse, transaction_request::Command,
    transaction_response,
};
use super::super::server::Shared;
use super::super::stats::bump;
use super::super::txn::Txn;
use super::list::page_options;

/// How long the request side is drained after the stream has ended.
const DRAIN: Duration = Duration::from_secs(5);

/// Starts the transaction task and returns the streaming response at once.
pub(super) fn transaction(shared: Arc<Shared>, body: Body) -> Response<Body> {
    let (tx, rx) = mpsc::channel::<Bytes>(32);
    tokio::spawn(async move {
        let mut reader = EnvelopeReader::new(body.into_data_stream());
        let outcome = session(&shared, &mut reader, &tx).await;
        let _ = tx.send(connect::end_stream(outcome.err().as_ref())).await;
        drop(tx);
        // Let the client finish its side; whatever it still sends is ignored.
        let _ = tokio::time::timeout(DRAIN, async {
            while let Ok(Some(_)) = reader.next().await {}
        })
        .await;
    });
    connect::stream_ok(Body::from_stream(receiver_stream(rx)))
}

fn receiver_stream(rx: mpsc::Receiver<Bytes>) -> impl Stream<Item = Result<Bytes, Infallible>> {
    futures::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) },
    )
}

type Reader = EnvelopeReader<axum::body::BodyDataStream>;

async fn next_request(reader: &mut Reader) -> Result<Option<TransactionRequest>, ConnectError> {
    match reader.next().await? {
        None => Ok(None),
        Some(b) => TransactionRequest::decode(b)
            .map(Some)
            .map_err(|e| ConnectError::invalid(format!("malformed transaction request: {e}"))),
    }
}

async fn send(
    tx: &mpsc::Sender<Bytes>,
    message_id: u32,
    result: transaction_response::Result,
) -> Result<(), ConnectError> {
    let resp = TransactionResponse {
        message_id,
        result: Some(result),
    };
    tx.send(connect::message_envelope(&resp))
        .await
        .map_err(|_| ConnectError::new(Code::Canceled, "client went away"))
}

async fn session(
    shared: &Shared,
    reader: &mut Reader,
    tx: &mpsc::Sender<Bytes>,
) -> Result<(), ConnectError> {
    let first = next_request(reader)
        .await?
        .ok_or_else(|| ConnectError::invalid("transaction stream without a begin message"))?;
    let Some(Command::Begin(begin)) = first.command else {
        return Err(ConnectError::invalid(
            "the first transaction message must be begin",
        ));
    };
    // The official JS and Go clients begin without a schema id: the server takes the store's.
    let schema_id = match begin.schema_id {
        0 => shared.schema.schema_id,
        id => id,
    };
    shared.check_target(begin.store_id, schema_id, begin.schema_version_id)?;
    let id = shared.next_txn.fetch_add(1, Ordering::Relaxed);
    let mut txn = Txn::begin(&shared.db(), id);
    let c = &shared.counters;
    loop {
        let Some(req) = next_request(reader).await? else {
            return Err(ConnectError::new(
                Code::Canceled,
                "transaction stream closed without commit or abort",
            ));
        };
        let mid = req.message_id;
        let command = req
            .command
            .ok_or_else(|| ConnectError::invalid("transaction message without a command"))?;
        match command {
            Command::Begin(_) => {
                return Err(ConnectError::invalid("begin sent twice in one transaction"));
            }
            Command::GetItems(g) => {
                bump(&c.txn_gets, 1);
                if g.gets.is_empty() {
                    return Err(ConnectError::invalid("get_items.gets must not be empty"));
                }
                let keys = g
                    .gets
                    .iter()
                    .map(|g| parse_key(&g.key_path, &shared.kinds))
                    .collect::<Result<Vec<_>, _>>()?;
                let items = txn.get(keys, shared.now());
                let r = transaction_response::Result::GetResults(TransactionGetResponse { items });
                send(tx, mid, r).await?;
            }
            Command::BeginList(l) => {
                bump(&c.txn_lists, 1);
                let q = ListQuery::begin(
                    &l.key_path_prefix,
                    &shared.kinds,
                    l.sort_direction,
                    l.limit,
                    &l.filter_conditions,
                    &l.key_conditions,
                )?;
                list(shared, &mut txn, &q, tx, mid).await?;
            }
            Command::ContinueList(l) => {
                bump(&c.txn_lists, 1);
                let q = ListQuery::resume(
                    &l.token_data,
                    l.direction,
                    &shared.kinds,
                    shared.store_id,
                    txn.id,
                )?;
                list(shared, &mut txn, &q, tx, mid).await?;
            }
            Command::PutItems(p) => {
                bump(&c.txn_puts, 1);
                if p.puts.is_empty() {
                    return Err(ConnectError::invalid("put_items.puts must not be empty"));
                }
                shared.check_writes(txn.write_count() + p.puts.len())?;
                let generated_ids = {
                    let db = shared.db();
                    txn.put(&shared.schema, &db, &p.puts)?
                };
                let r = transaction_response::Result::PutAck(TransactionPutAck { generated_ids });
                send(tx, mid, r).await?;
            }
            Command::DeleteItems(d) => {
                bump(&c.txn_deletes, 1);
                if d.deletes.is_empty() {
                    return Err(ConnectError::invalid(
                        "delete_items.deletes must not be empty",
                    ));
                }
                shared.check_writes(txn.write_count() + d.deletes.len())?;
                let keys = d
                    .deletes
                    .iter()
                    .map(|d| parse_key(&d.key_path, &shared.kinds))
                    .collect::<Result<Vec<_>, _>>()?;
                txn.delete(keys);
            }
            Command::Commit(_) => {
                let finished = commit(shared, txn)?;
                let r = transaction_response::Result::Finished(finished);
                return send(tx, mid, r).await;
            }
            Command::Abort(_) => {
                bump(&c.aborts, 1);
                let r = transaction_response::Result::Finished(TransactionFinished {
                    committed: false,
                    put_results: Vec::new(),
                    delete_results: Vec::new(),
                });
                return send(tx, mid, r).await;
            }
        }
    }
}

async fn list(
    shared: &Shared,
    txn: &mut Txn,
    q: &ListQuery,
    tx: &mpsc::Sender<Bytes>,
    mid: u32,
) -> Result<(), ConnectError> {
    let frames = txn.list(q, shared.now(), page_options(shared, txn.id));
    for f in frames {
        let r =
            transaction_response::Result::ListResults(TransactionListResponse { result: Some(f) });
        send(tx, mid, r).await?;
    }
    Ok(())
}

fn commit(shared: &Shared, txn: Txn) -> Result<TransactionFinished, ConnectError> {
    let c = &shared.counters;
    bump(&c.commit_requests, 1);
    if shared.faults.take_conflict() {
        bump(&c.conflicts, 1);
        return Err(ConnectError::concurrent_modification(
            "injected fault: forced ConcurrentModification",
        ));
    }
    let now = shared.now();
    let applied = txn.commit(&mut shared.db(), now).inspect_err(|e| {
        if e.stately_code == "ConcurrentModification" {
            bump(&c.conflicts, 1);
        }
    })?;
    bump(&c.commits, 1);
    bump(&c.items_put, applied.put_items.len() as u64);
    bump(&c.items_deleted, applied.deleted.len() as u64);
    Ok(TransactionFinished {
        committed: true,
        put_results: applied.put_items,
        delete_results: applied
            .deleted
            .into_iter()
            .map(|key_path| DeleteResult { key_path })
            .collect(),
    })
}
