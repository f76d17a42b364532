//! A minimal Connect client for the emulator's tests, written from the protocol reference and
//! independent of both the crate's client and the emulator's own message types.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use base64::Engine as _;
use bytes::{Buf, Bytes, BytesMut};
use futures::StreamExt;
use prost::Message;
use runner_monitor_stately_emulator::Emulator;
use tokio::sync::mpsc;

// ---- messages (field numbers from the reference) ----

#[derive(Clone, PartialEq, Message)]
pub struct Item {
    #[prost(string, tag = "1")]
    pub item_type: String,
    #[prost(bytes = "vec", tag = "2")]
    pub proto: Vec<u8>,
}
#[derive(Clone, PartialEq, Message)]
pub struct PutItem {
    #[prost(message, optional, tag = "1")]
    pub item: Option<Item>,
    #[prost(bool, tag = "2")]
    pub overwrite_metadata_timestamps: bool,
    #[prost(bool, tag = "3")]
    pub must_not_exist: bool,
}
#[derive(Clone, PartialEq, Message)]
pub struct PutRequest {
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    #[prost(message, repeated, tag = "2")]
    pub puts: Vec<PutItem>,
    #[prost(uint32, tag = "3")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "4")]
    pub schema_id: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct Items {
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}
#[derive(Clone, PartialEq, Message)]
pub struct KeyPath {
    #[prost(string, tag = "1")]
    pub key_path: String,
}
#[derive(Clone, PartialEq, Message)]
pub struct GetRequest {
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    #[prost(message, repeated, tag = "2")]
    pub gets: Vec<KeyPath>,
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct DeleteRequest {
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    #[prost(message, repeated, tag = "3")]
    pub deletes: Vec<KeyPath>,
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct DeleteResponse {
    #[prost(message, repeated, tag = "1")]
    pub results: Vec<KeyPath>,
}
#[derive(Clone, PartialEq, Message)]
pub struct Filter {
    #[prost(string, tag = "1")]
    pub item_type: String,
}
#[derive(Clone, PartialEq, Message)]
pub struct BeginListRequest {
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    #[prost(string, tag = "2")]
    pub key_path_prefix: String,
    #[prost(uint32, tag = "3")]
    pub limit: u32,
    #[prost(int32, tag = "6")]
    pub sort_direction: i32,
    #[prost(uint32, tag = "7")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "8")]
    pub schema_id: u64,
    #[prost(message, repeated, tag = "9")]
    pub filter_conditions: Vec<Filter>,
}
#[derive(Clone, PartialEq, Message)]
pub struct ContinueListRequest {
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
    #[prost(int32, tag = "2")]
    pub direction: i32,
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct ListToken {
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
    #[prost(bool, tag = "2")]
    pub can_continue: bool,
}
#[derive(Clone, PartialEq, Message)]
pub struct ListFinished {
    #[prost(message, optional, tag = "1")]
    pub token: Option<ListToken>,
}
/// `ListResponse` and `TransactionListResponse` share their shape.
#[derive(Clone, PartialEq, Message)]
pub struct ListResponse {
    #[prost(message, optional, tag = "1")]
    pub result: Option<Items>,
    #[prost(message, optional, tag = "2")]
    pub finished: Option<ListFinished>,
}
#[derive(Clone, PartialEq, Message)]
pub struct AuthRequest {
    #[prost(string, tag = "1")]
    pub access_key: String,
}
#[derive(Clone, PartialEq, Message)]
pub struct AuthResponse {
    #[prost(string, tag = "1")]
    pub auth_token: String,
    #[prost(uint64, tag = "2")]
    pub expires_in_s: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct StatelyErrorDetails {
    #[prost(string, tag = "1")]
    pub stately_code: String,
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(uint32, tag = "4")]
    pub code: u32,
}
#[derive(Clone, PartialEq, Message)]
pub struct Empty {}
#[derive(Clone, PartialEq, Message)]
pub struct TxnBegin {
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    #[prost(uint32, tag = "2")]
    pub schema_version_id: u32,
    #[prost(uint64, tag = "3")]
    pub schema_id: u64,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnGet {
    #[prost(message, repeated, tag = "1")]
    pub gets: Vec<KeyPath>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnBeginList {
    #[prost(string, tag = "1")]
    pub key_path_prefix: String,
    #[prost(uint32, tag = "2")]
    pub limit: u32,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnContinueList {
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnPut {
    #[prost(message, repeated, tag = "1")]
    pub puts: Vec<PutItem>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnDelete {
    #[prost(message, repeated, tag = "1")]
    pub deletes: Vec<KeyPath>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnRequest {
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    #[prost(message, optional, tag = "2")]
    pub begin: Option<TxnBegin>,
    #[prost(message, optional, tag = "3")]
    pub get_items: Option<TxnGet>,
    #[prost(message, optional, tag = "4")]
    pub begin_list: Option<TxnBeginList>,
    #[prost(message, optional, tag = "5")]
    pub continue_list: Option<TxnContinueList>,
    #[prost(message, optional, tag = "6")]
    pub put_items: Option<TxnPut>,
    #[prost(message, optional, tag = "7")]
    pub delete_items: Option<TxnDelete>,
    #[prost(message, optional, tag = "8")]
    pub commit: Option<Empty>,
    #[prost(message, optional, tag = "9")]
    pub abort: Option<Empty>,
}
#[derive(Clone, PartialEq, Message)]
pub struct GeneratedId {
    #[prost(uint64, optional, tag = "1")]
    pub uint: Option<u64>,
}
#[derive(Clone, PartialEq, Message)]
pub struct PutAck {
    #[prost(message, repeated, tag = "1")]
    pub generated_ids: Vec<GeneratedId>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnFinished {
    #[prost(bool, tag = "1")]
    pub committed: bool,
    #[prost(message, repeated, tag = "2")]
    pub put_results: Vec<Item>,
    #[prost(message, repeated, tag = "3")]
    pub delete_results: Vec<KeyPath>,
}
#[derive(Clone, PartialEq, Message)]
pub struct TxnResponse {
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    #[prost(message, optional, tag = "2")]
    pub get_results: Option<Items>,
    #[prost(message, optional, tag = "3")]
    pub put_ack: Option<PutAck>,
    #[prost(message, optional, tag = "4")]
    pub list_results: Option<ListResponse>,
    #[prost(message, optional, tag = "5")]
    pub finished: Option<TxnFinished>,
}

// ---- item payloads of runner-monitor's schema (ITEMS.md) ----

#[derive(Clone, PartialEq, Message)]
pub struct Repository {
    #[prost(string, tag = "1")]
    pub repo_id: String,
    #[prost(string, tag = "2")]
    pub owner: String,
    #[prost(sint64, tag = "5")]
    pub created_at: i64,
}
#[derive(Clone, PartialEq, Message)]
pub struct Runner {
    #[prost(uint64, tag = "1")]
    pub runner_id: u64,
    #[prost(string, tag = "2")]
    pub repo_id: String,
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(int32, tag = "4")]
    pub status: i32,
    #[prost(string, tag = "6")]
    pub os: String,
    #[prost(sint64, tag = "10")]
    pub created_at: i64,
    #[prost(sint64, tag = "11")]
    pub updated_at: i64,
}
#[derive(Clone, PartialEq, Message)]
pub struct Outage {
    #[prost(uint64, tag = "1")]
    pub outage_id: u64,
    #[prost(string, tag = "2")]
    pub repo_id: String,
    #[prost(uint64, tag = "3")]
    pub runner_id: u64,
    #[prost(int32, tag = "4")]
    pub status: i32,
    #[prost(sint64, tag = "5")]
    pub started_at: i64,
    #[prost(string, tag = "7")]
    pub description: String,
    #[prost(sint64, tag = "9")]
    pub created_at: i64,
    #[prost(sint64, tag = "10")]
    pub updated_at: i64,
    #[prost(sint64, tag = "16")]
    pub expires_at: i64,
}
#[derive(Clone, PartialEq, Message)]
pub struct Delivery {
    #[prost(string, tag = "1")]
    pub repo_id: String,
    #[prost(uint64, tag = "2")]
    pub seq: u64,
    #[prost(string, tag = "3")]
    pub sink: String,
    #[prost(string, tag = "4")]
    pub notification: String,
    #[prost(sint64, tag = "5")]
    pub created_at: i64,
    #[prost(sint64, tag = "10")]
    pub expires_at: i64,
}

pub fn runner(repo: &str, name: &str) -> Item {
    let r = Runner {
        runner_id: 7,
        repo_id: repo.into(),
        name: name.into(),
        status: 1,
        os: "linux".into(),
        ..Default::default()
    };
    item("Runner", &r)
}

pub fn outage(repo: &str, runner_id: u64, outage_id: u64) -> Item {
    let o = Outage {
        outage_id,
        repo_id: repo.into(),
        runner_id,
        status: 2,
        started_at: 1_700_000_000_000,
        description: format!("outage {outage_id}"),
        ..Default::default()
    };
    item("OutageEvent", &o)
}

pub fn item<M: Message>(item_type: &str, m: &M) -> Item {
    Item {
        item_type: item_type.into(),
        proto: m.encode_to_vec(),
    }
}

pub fn decode<M: Message + Default>(item: &Item) -> M {
    M::decode(item.proto.as_slice()).unwrap()
}

pub fn put(item: Item) -> PutItem {
    PutItem {
        item: Some(item),
        ..Default::default()
    }
}

// ---- errors ----

/// A failed call, as the test client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    /// HTTP status (200 for errors in a stream trailer).
    pub status: u16,
    pub code: String,
    pub message: String,
    /// From `StatelyErrorDetails` ("" without details).
    pub stately_code: String,
    /// `StatelyErrorDetails.code`.
    pub details_code: u32,
}

fn parse_error(status: u16, json: &serde_json::Value) -> CallError {
    let mut e = CallError {
        status,
        code: json["code"].as_str().unwrap_or_default().to_owned(),
        message: json["message"].as_str().unwrap_or_default().to_owned(),
        stately_code: String::new(),
        details_code: 0,
    };
    for d in json["details"].as_array().into_iter().flatten() {
        if d["type"] == "stately.errors.StatelyErrorDetails" {
            let value = d["value"].as_str().unwrap();
            assert!(!value.ends_with('='), "details must be unpadded base64");
            let raw = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(value)
                .unwrap();
            let det = StatelyErrorDetails::decode(raw.as_slice()).unwrap();
            e.stately_code = det.stately_code;
            e.details_code = det.code;
        }
    }
    e
}

// ---- framing ----

pub fn envelope<M: Message>(m: &M) -> Bytes {
    let body = m.encode_to_vec();
    let mut out = BytesMut::new();
    out.extend_from_slice(&[0]);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.freeze()
}

/// Takes one envelope off `buf`: (flags, payload).
fn take_envelope(buf: &mut BytesMut) -> Option<(u8, Bytes)> {
    if buf.len() < 5 {
        return None;
    }
    let len = u32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if buf.len() < 5 + len {
        return None;
    }
    let flags = buf[0];
    buf.advance(5);
    Some((flags, buf.split_to(len).freeze()))
}

/// Splits a whole stream body into messages, checking the trailer.
fn split_stream<M: Message + Default>(body: &[u8]) -> Result<Vec<M>, CallError> {
    let mut buf = BytesMut::from(body);
    let mut out = Vec::new();
    while let Some((flags, payload)) = take_envelope(&mut buf) {
        if flags & 2 != 0 {
            assert!(buf.is_empty(), "data after the end-of-stream envelope");
            let json: serde_json::Value = serde_json::from_slice(&payload).unwrap();
            return match json.get("error") {
                Some(err) => Err(parse_error(200, err)),
                None => Ok(out),
            };
        }
        out.push(M::decode(payload).unwrap());
    }
    panic!("stream ended without an end-of-stream envelope");
}

// ---- client ----

/// The test client.
#[derive(Debug, Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub store_id: u64,
    pub schema_id: u64,
    pub version: u32,
    pub token: Option<String>,
}

impl Client {
    /// An h2c (prior knowledge) client for `emu`.
    pub fn new(emu: &Emulator) -> Client {
        let http = reqwest::Client::builder()
            .http2_prior_knowledge()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Client {
            http,
            base: emu.endpoint(),
            store_id: emu.store_id(),
            schema_id: emu.schema_id(),
            version: emu.schema_version(),
            token: None,
        }
    }

    /// The same over HTTP/1.1.
    pub fn http1(emu: &Emulator) -> Client {
        let mut c = Client::new(emu);
        c.http = reqwest::Client::builder().http1_only().build().unwrap();
        c
    }

    fn request(&self, path: &str, content_type: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .post(format!("{}/{path}", self.base))
            .header("content-type", content_type)
            .header("connect-protocol-version", "1");
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn unary<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp, CallError> {
        let resp = self
            .request(path, "application/proto")
            .body(req.encode_to_vec())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = resp.bytes().await.unwrap();
        if status == 200 {
            assert_eq!(ct, "application/proto");
            Ok(Resp::decode(body).unwrap())
        } else {
            if ct != "application/json" {
                return Err(CallError {
                    status,
                    code: String::new(),
                    message: String::from_utf8_lossy(&body).into_owned(),
                    stately_code: String::new(),
                    details_code: 0,
                });
            }
            Err(parse_error(status, &serde_json::from_slice(&body).unwrap()))
        }
    }

    pub async fn server_stream<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Vec<Resp>, CallError> {
        let resp = self
            .request(path, "application/connect+proto")
            .body(envelope(req))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap();
        if status != 200 {
            return Err(parse_error(status, &serde_json::from_slice(&body).unwrap()));
        }
        split_stream(&body)
    }

    pub async fn put_items(&self, puts: Vec<PutItem>) -> Result<Vec<Item>, CallError> {
        let req = PutRequest {
            store_id: self.store_id,
            puts,
            schema_version_id: self.version,
            schema_id: self.schema_id,
        };
        let r: Items = self.unary("stately.db.DatabaseService/Put", &req).await?;
        Ok(r.items)
    }

    pub async fn put(&self, items: Vec<Item>) -> Result<Vec<Item>, CallError> {
        self.put_items(items.into_iter().map(put).collect()).await
    }

    pub async fn get(&self, keys: &[&str]) -> Result<Vec<Item>, CallError> {
        let req = GetRequest {
            store_id: self.store_id,
            gets: keys
                .iter()
                .map(|k| KeyPath {
                    key_path: (*k).into(),
                })
                .collect(),
            schema_version_id: self.version,
            schema_id: self.schema_id,
        };
        let r: Items = self.unary("stately.db.DatabaseService/Get", &req).await?;
        Ok(r.items)
    }

    pub async fn delete(&self, keys: &[&str]) -> Result<Vec<String>, CallError> {
        let req = DeleteRequest {
            store_id: self.store_id,
            deletes: keys
                .iter()
                .map(|k| KeyPath {
                    key_path: (*k).into(),
                })
                .collect(),
            schema_version_id: self.version,
            schema_id: self.schema_id,
        };
        let r: DeleteResponse = self
            .unary("stately.db.DatabaseService/Delete", &req)
            .await?;
        Ok(r.results.into_iter().map(|k| k.key_path).collect())
    }

    /// One page: (items, token).
    pub async fn begin_list(
        &self,
        prefix: &str,
        limit: u32,
        descending: bool,
    ) -> Result<(Vec<Item>, ListToken), CallError> {
        let req = BeginListRequest {
            store_id: self.store_id,
            key_path_prefix: prefix.into(),
            limit,
            sort_direction: i32::from(descending),
            schema_version_id: self.version,
            schema_id: self.schema_id,
            filter_conditions: Vec::new(),
        };
        self.list_call("stately.db.DatabaseService/BeginList", &req)
            .await
    }

    pub async fn list_call<Req: Message>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<(Vec<Item>, ListToken), CallError> {
        let msgs: Vec<ListResponse> = self.server_stream(path, req).await?;
        page_of(msgs)
    }

    pub async fn continue_list(
        &self,
        token: &ListToken,
    ) -> Result<(Vec<Item>, ListToken), CallError> {
        let req = ContinueListRequest {
            token_data: token.token_data.clone(),
            direction: 0,
            schema_version_id: self.version,
            schema_id: self.schema_id,
        };
        self.list_call("stately.db.DatabaseService/ContinueList", &req)
            .await
    }

    /// Every item under `prefix`, following continuation tokens; also returns the page count.
    pub async fn list_all(
        &self,
        prefix: &str,
        limit: u32,
        descending: bool,
    ) -> Result<(Vec<Item>, usize), CallError> {
        let (mut all, mut token) = self.begin_list(prefix, limit, descending).await?;
        let mut pages = 1;
        while token.can_continue {
            let (items, next) = self.continue_list(&token).await?;
            all.extend(items);
            token = next;
            pages += 1;
            assert!(pages < 10_000, "list never ends");
        }
        Ok((all, pages))
    }

    /// Opens a transaction over h2c.
    pub async fn begin_txn(&self) -> Txn {
        let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
        let begin = TxnRequest {
            message_id: 1,
            begin: Some(TxnBegin {
                store_id: self.store_id,
                schema_version_id: self.version,
                schema_id: self.schema_id,
            }),
            ..Default::default()
        };
        tx.send(Ok(envelope(&begin))).await.unwrap();
        let body = reqwest::Body::wrap_stream(futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|m| (m, rx))
        }));
        let req = self
            .request(
                "stately.db.DatabaseService/Transaction",
                "application/connect+proto",
            )
            .body(body);
        Txn {
            tx: Some(tx),
            pending: Some(tokio::spawn(req.send())),
            stream: None,
            buf: BytesMut::new(),
            next_id: 2,
            ended: false,
        }
    }
}

/// Collects a list page out of list responses.
pub fn page_of(msgs: Vec<ListResponse>) -> Result<(Vec<Item>, ListToken), CallError> {
    let mut items = Vec::new();
    let mut token = None;
    for m in msgs {
        if let Some(r) = m.result {
            assert!(token.is_none(), "result after finished");
            items.extend(r.items);
        }
        if let Some(f) = m.finished {
            token = f.token;
        }
    }
    Ok((items, token.expect("a finished message with a token")))
}

type ByteStream = futures::stream::BoxStream<'static, reqwest::Result<Bytes>>;

/// An open transaction stream.
pub struct Txn {
    tx: Option<mpsc::Sender<Result<Bytes, std::io::Error>>>,
    pending: Option<tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>>,
    stream: Option<ByteStream>,
    buf: BytesMut,
    next_id: u32,
    ended: bool,
}

pub enum Cmd {
    Get(Vec<String>),
    List(String, u32),
    Continue(Vec<u8>),
    Put(Vec<PutItem>),
    Delete(Vec<String>),
    Commit,
    Abort,
}

impl Txn {
    /// Sends a command without waiting for anything. Returns its message id.
    pub async fn send(&mut self, cmd: Cmd) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let keys = |ks: Vec<String>| {
            ks.into_iter()
                .map(|key_path| KeyPath { key_path })
                .collect()
        };
        let mut r = TxnRequest {
            message_id: id,
            ..Default::default()
        };
        match cmd {
            Cmd::Get(k) => r.get_items = Some(TxnGet { gets: keys(k) }),
            Cmd::List(p, limit) => {
                r.begin_list = Some(TxnBeginList {
                    key_path_prefix: p,
                    limit,
                })
            }
            Cmd::Continue(t) => r.continue_list = Some(TxnContinueList { token_data: t }),
            Cmd::Put(p) => r.put_items = Some(TxnPut { puts: p }),
            Cmd::Delete(k) => r.delete_items = Some(TxnDelete { deletes: keys(k) }),
            Cmd::Commit => r.commit = Some(Empty {}),
            Cmd::Abort => r.abort = Some(Empty {}),
        }
        self.tx
            .as_ref()
            .unwrap()
            .send(Ok(envelope(&r)))
            .await
            .unwrap();
        id
    }

    /// The next response message; `Err` when the stream ends with an error.
    pub async fn recv(&mut self) -> Result<Option<TxnResponse>, CallError> {
        if let Some(p) = self.pending.take() {
            let resp = p.await.unwrap().unwrap();
            assert_eq!(resp.status().as_u16(), 200);
            self.stream = Some(resp.bytes_stream().boxed());
        }
        loop {
            if let Some((flags, payload)) = take_envelope(&mut self.buf) {
                if flags & 2 != 0 {
                    self.ended = true;
                    self.tx = None;
                    let json: serde_json::Value = serde_json::from_slice(&payload).unwrap();
                    return match json.get("error") {
                        Some(e) => Err(parse_error(200, e)),
                        None => Ok(None),
                    };
                }
                return Ok(Some(TxnResponse::decode(payload).unwrap()));
            }
            let next = tokio::time::timeout(
                Duration::from_secs(10),
                self.stream.as_mut().unwrap().next(),
            )
            .await
            .expect("the emulator answered within 10 s");
            match next {
                Some(chunk) => self.buf.extend_from_slice(&chunk.unwrap()),
                None => panic!("stream ended without trailer"),
            }
        }
    }

    /// Sends a command and waits for its answer (lists: until `finished`).
    pub async fn call(&mut self, cmd: Cmd) -> Result<Vec<TxnResponse>, CallError> {
        let is_list = matches!(cmd, Cmd::List(..) | Cmd::Continue(_));
        let id = self.send(cmd).await;
        let mut out = Vec::new();
        loop {
            let r = self
                .recv()
                .await?
                .expect("an answer before the end of the stream");
            assert_eq!(r.message_id, id);
            let done = !is_list
                || r.list_results
                    .as_ref()
                    .is_some_and(|l| l.finished.is_some());
            out.push(r);
            if done {
                return Ok(out);
            }
        }
    }

    pub async fn get(&mut self, keys: &[&str]) -> Result<Vec<Item>, CallError> {
        let r = self
            .call(Cmd::Get(keys.iter().map(|k| (*k).to_owned()).collect()))
            .await?;
        Ok(r[0].get_results.clone().unwrap_or_default().items)
    }

    pub async fn list(
        &mut self,
        prefix: &str,
        limit: u32,
    ) -> Result<(Vec<Item>, ListToken), CallError> {
        let r = self.call(Cmd::List(prefix.into(), limit)).await?;
        page_of(r.into_iter().filter_map(|r| r.list_results).collect())
    }

    pub async fn put(&mut self, items: Vec<Item>) -> Result<Vec<Option<u64>>, CallError> {
        let r = self
            .call(Cmd::Put(items.into_iter().map(put).collect()))
            .await?;
        Ok(r[0]
            .put_ack
            .clone()
            .unwrap()
            .generated_ids
            .into_iter()
            .map(|g| g.uint)
            .collect())
    }

    pub async fn delete(&mut self, keys: &[&str]) {
        self.send(Cmd::Delete(keys.iter().map(|k| (*k).to_owned()).collect()))
            .await;
    }

    /// Commits: the finished message, after which the stream must end cleanly.
    pub async fn commit(mut self) -> Result<TxnFinished, CallError> {
        let r = self.call(Cmd::Commit).await?;
        let f = r[0].finished.clone().unwrap();
        self.tx = None;
        assert!(self.recv().await?.is_none(), "trailer after finished");
        Ok(f)
    }

    pub async fn abort(mut self) -> Result<TxnFinished, CallError> {
        let r = self.call(Cmd::Abort).await?;
        self.tx = None;
        assert!(self.recv().await?.is_none());
        Ok(r[0].finished.clone().unwrap())
    }
}
