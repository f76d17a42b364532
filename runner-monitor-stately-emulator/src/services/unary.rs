//! Unary calls: GetAuthToken, Put, Get, Delete.

use axum::body::Body;
use axum::http::Response;

use super::super::connect::{self, MAX_MESSAGE};
use super::super::data::{DecodedPut, SeqAlloc, Write, parse_key};
use super::super::error::ConnectError;
use super::super::proto::{
    DeleteRequest, DeleteResponse, DeleteResult, GetAuthTokenRequest, GetAuthTokenResponse,
    GetRequest, GetResponse, PutRequest, PutResponse,
};
use super::super::server::Shared;
use super::super::stats::bump;

async fn unary<Req, Resp>(
    body: Body,
    handle: impl FnOnce(Req) -> Result<Resp, ConnectError>,
) -> Response<Body>
where
    Req: prost::Message + Default,
    Resp: prost::Message,
{
    let bytes = match axum::body::to_bytes(body, MAX_MESSAGE).await {
        Ok(b) => b,
        Err(e) => {
            return connect::unary_error(&ConnectError::invalid(format!(
                "reading the request failed: {e}"
            )));
        }
    };
    let result = Req::decode(bytes)
        .map_err(|e| ConnectError::invalid(format!("malformed request: {e}")))
        .and_then(handle);
    match result {
        Ok(resp) => connect::unary_ok(&resp),
        Err(e) => connect::unary_error(&e),
    }
}

pub(super) async fn get_auth_token(shared: &Shared, body: Body) -> Response<Body> {
    unary(body, |req: GetAuthTokenRequest| {
        let key = req
            .access_key
            .ok_or_else(|| ConnectError::invalid("an access_key identity is required"))?;
        let (auth_token, expires_in_s) = shared.auth.issue(&key, shared.now())?;
        Ok(GetAuthTokenResponse {
            auth_token,
            expires_in_s,
        })
    })
    .await
}

pub(super) async fn put(shared: &Shared, body: Body) -> Response<Body> {
    unary(body, |req: PutRequest| {
        shared.check_target(req.store_id, req.schema_id, req.schema_version_id)?;
        if req.puts.is_empty() {
            return Err(ConnectError::invalid("puts must not be empty"));
        }
        shared.check_writes(req.puts.len())?;
        let now = shared.now();
        let mut db = shared.db();
        let mut seqs = SeqAlloc::default();
        let mut writes = Vec::with_capacity(req.puts.len());
        for p in &req.puts {
            let mut d = DecodedPut::decode(&shared.schema, p)?;
            seqs.assign(&db, &mut d)?;
            writes.push(Write::Put(d));
        }
        let applied = db.apply(writes, &seqs, now)?;
        bump(&shared.counters.items_put, applied.put_items.len() as u64);
        Ok(PutResponse {
            items: applied.put_items,
        })
    })
    .await
}

pub(super) async fn get(shared: &Shared, body: Body) -> Response<Body> {
    unary(body, |req: GetRequest| {
        shared.check_target(req.store_id, req.schema_id, req.schema_version_id)?;
        if req.gets.is_empty() {
            return Err(ConnectError::invalid("gets must not be empty"));
        }
        let keys = req
            .gets
            .iter()
            .map(|g| parse_key(&g.key_path, &shared.kinds))
            .collect::<Result<Vec<_>, _>>()?;
        let now = shared.now();
        let db = shared.db();
        let items = keys
            .iter()
            .filter_map(|k| db.get(k, now))
            .map(super::super::data::StoredItem::to_proto)
            .collect();
        Ok(GetResponse { items })
    })
    .await
}

pub(super) async fn delete(shared: &Shared, body: Body) -> Response<Body> {
    unary(body, |req: DeleteRequest| {
        shared.check_target(req.store_id, req.schema_id, req.schema_version_id)?;
        if req.deletes.is_empty() {
            return Err(ConnectError::invalid("deletes must not be empty"));
        }
        shared.check_writes(req.deletes.len())?;
        let writes = req
            .deletes
            .iter()
            .map(|d| parse_key(&d.key_path, &shared.kinds).map(Write::Delete))
            .collect::<Result<Vec<_>, _>>()?;
        let now = shared.now();
        let applied = shared.db().apply(writes, &SeqAlloc::default(), now)?;
        bump(&shared.counters.items_deleted, applied.deleted.len() as u64);
        Ok(DeleteResponse {
            results: applied
                .deleted
                .into_iter()
                .map(|key_path| DeleteResult { key_path })
                .collect(),
        })
    })
    .await
}
