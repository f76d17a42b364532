//! Server-streaming calls: BeginList and ContinueList.

use axum::body::Body;
use axum::http::Response;
use bytes::{Bytes, BytesMut};
use prost::Message as _;

use super::super::connect::{self, EnvelopeReader};
use super::super::error::ConnectError;
use super::super::list::{ListQuery, PageOptions, page};
use super::super::proto::{BeginListRequest, ContinueListRequest, ListResponse};
use super::super::server::Shared;

/// Reads the single request envelope of a server-stream call.
pub(super) async fn single_message(body: Body) -> Result<Bytes, ConnectError> {
    let mut reader = EnvelopeReader::new(body.into_data_stream());
    let msg = reader
        .next()
        .await?
        .ok_or_else(|| ConnectError::invalid("stream request without a message"))?;
    if reader.next().await?.is_some() {
        return Err(ConnectError::invalid(
            "server-stream request must hold exactly one message",
        ));
    }
    Ok(msg)
}

pub(super) fn page_options(shared: &Shared, txn_id: u64) -> PageOptions {
    PageOptions {
        cap: shared.page_cap,
        chunk: shared.chunk,
        store_id: shared.store_id,
        txn_id,
        schema_version: shared.schema.version,
    }
}

fn respond(shared: &Shared, query: Result<ListQuery, ConnectError>) -> Response<Body> {
    let q = match query {
        Ok(q) => q,
        Err(e) => return connect::stream_error(&e),
    };
    let now = shared.now();
    let frames = {
        let db = shared.db();
        page(&db.items, &q, now, page_options(shared, 0))
    };
    let mut out = BytesMut::new();
    for f in frames {
        out.extend_from_slice(&connect::message_envelope(&ListResponse {
            response: Some(f),
        }));
    }
    out.extend_from_slice(&connect::end_stream(None));
    connect::stream_ok(Body::from(out.freeze()))
}

pub(super) async fn begin_list(shared: &Shared, body: Body) -> Response<Body> {
    let query = async {
        let req = BeginListRequest::decode(single_message(body).await?)
            .map_err(|e| ConnectError::invalid(format!("malformed request: {e}")))?;
        shared.check_target(req.store_id, req.schema_id, req.schema_version_id)?;
        ListQuery::begin(
            &req.key_path_prefix,
            &shared.kinds,
            req.sort_direction,
            req.limit,
            &req.filter_conditions,
            &req.key_conditions,
        )
    }
    .await;
    respond(shared, query)
}

pub(super) async fn continue_list(shared: &Shared, body: Body) -> Response<Body> {
    let query = async {
        let req = ContinueListRequest::decode(single_message(body).await?)
            .map_err(|e| ConnectError::invalid(format!("malformed request: {e}")))?;
        shared.check_target(shared.store_id, req.schema_id, req.schema_version_id)?;
        ListQuery::resume(
            &req.token_data,
            req.direction,
            &shared.kinds,
            shared.store_id,
            0,
        )
    }
    .await;
    respond(shared, query)
}
