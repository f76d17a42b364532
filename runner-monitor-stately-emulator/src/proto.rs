//! The emulator's own protobuf messages, written from the protocol reference with prost's derive.
//!
//! Deliberately independent of the client's message types, so the emulator checks the client
//! rather than mirroring it. Only the fields the emulator reads or writes are declared; prost
//! skips the rest.

use prost::bytes::Bytes;

/// `stately.db.Item`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Item {
    /// Item type name from the schema.
    #[prost(string, tag = "1")]
    pub item_type: String,
    /// The item's payload.
    #[prost(oneof = "item::Payload", tags = "2, 3")]
    pub payload: Option<item::Payload>,
}

/// Nested types of [`Item`].
pub mod item {
    use prost::bytes::Bytes;

    /// `oneof payload`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Payload {
        /// Binary protobuf of the item type's message.
        #[prost(bytes = "bytes", tag = "2")]
        Proto(Bytes),
        /// `google.protobuf.Struct` (not supported by the emulator; kept opaque).
        #[prost(bytes = "bytes", tag = "3")]
        Json(Bytes),
    }
}

/// `stately.auth.GetAuthTokenRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetAuthTokenRequest {
    /// `oneof identity { access_key = 1 }`.
    #[prost(string, optional, tag = "1")]
    pub access_key: Option<String>,
}

/// `stately.auth.GetAuthTokenResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetAuthTokenResponse {
    /// Bearer token.
    #[prost(string, tag = "1")]
    pub auth_token: String,
    /// Lifetime of the token in seconds.
    #[prost(uint64, tag = "2")]
    pub expires_in_s: u64,
}

/// `stately.db.PutItem`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutItem {
    /// The item.
    #[prost(message, optional, tag = "1")]
    pub item: Option<Item>,
    /// Keep the client's metadata timestamps.
    #[prost(bool, tag = "2")]
    pub overwrite_metadata_timestamps: bool,
    /// Fail with ConditionalCheckFailed if the key exists.
    #[prost(bool, tag = "3")]
    pub must_not_exist: bool,
}

/// `stately.db.PutRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutRequest {
    /// Store id.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Items to put, atomically.
    #[prost(message, repeated, tag = "2")]
    pub puts: Vec<PutItem>,
    /// Schema version.
    #[prost(uint32, tag = "3")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "4")]
    pub schema_id: u64,
}

/// `stately.db.PutResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutResponse {
    /// The stored items, in request order.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `stately.db.GetItem`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetItem {
    /// Full key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `stately.db.GetRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetRequest {
    /// Store id.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Keys to read.
    #[prost(message, repeated, tag = "2")]
    pub gets: Vec<GetItem>,
    /// Ignored (the emulator is always consistent).
    #[prost(bool, tag = "3")]
    pub allow_stale: bool,
    /// Schema version.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}

/// `stately.db.GetResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetResponse {
    /// The items that exist.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `stately.db.DeleteItem`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteItem {
    /// Full key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `stately.db.DeleteRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteRequest {
    /// Store id.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Keys to delete.
    #[prost(message, repeated, tag = "3")]
    pub deletes: Vec<DeleteItem>,
    /// Schema version.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}

/// `stately.db.DeleteResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResult {
    /// The deleted key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `stately.db.DeleteResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResponse {
    /// One result per delete.
    #[prost(message, repeated, tag = "1")]
    pub results: Vec<DeleteResult>,
}

/// `stately.db.FilterCondition` (only `item_type` is supported).
#[derive(Clone, PartialEq, prost::Message)]
pub struct FilterCondition {
    /// `oneof value { item_type = 1 }`.
    #[prost(string, optional, tag = "1")]
    pub item_type: Option<String>,
}

/// `stately.db.BeginListRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BeginListRequest {
    /// Store id.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Key path prefix (at least the group key).
    #[prost(string, tag = "2")]
    pub key_path_prefix: String,
    /// Page size, 0 = unlimited.
    #[prost(uint32, tag = "3")]
    pub limit: u32,
    /// Ignored.
    #[prost(bool, tag = "4")]
    pub allow_stale: bool,
    /// 0 ascending, 1 descending.
    #[prost(int32, tag = "6")]
    pub sort_direction: i32,
    /// Schema version.
    #[prost(uint32, tag = "7")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "8")]
    pub schema_id: u64,
    /// Item type filters (OR'ed).
    #[prost(message, repeated, tag = "9")]
    pub filter_conditions: Vec<FilterCondition>,
    /// Key conditions (not supported: rejected when present).
    #[prost(bytes = "bytes", repeated, tag = "10")]
    pub key_conditions: Vec<Bytes>,
}

/// `stately.db.ListPartialResult`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPartialResult {
    /// A chunk of items.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `stately.db.ListToken`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListToken {
    /// Opaque continuation state.
    #[prost(bytes = "bytes", tag = "1")]
    pub token_data: Bytes,
    /// More items may follow.
    #[prost(bool, tag = "2")]
    pub can_continue: bool,
    /// Always false in the emulator.
    #[prost(bool, tag = "3")]
    pub can_sync: bool,
    /// Schema version the token was made with.
    #[prost(uint32, tag = "4")]
    pub schema_version_id: u32,
}

/// `stately.db.ListFinished`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListFinished {
    /// Continuation token.
    #[prost(message, optional, tag = "1")]
    pub token: Option<ListToken>,
}

/// `stately.db.ListResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListResponse {
    /// `oneof response`.
    #[prost(oneof = "list_response::Response", tags = "1, 2")]
    pub response: Option<list_response::Response>,
}

/// Nested types of [`ListResponse`].
pub mod list_response {
    /// `oneof response`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Response {
        /// Items.
        #[prost(message, tag = "1")]
        Result(super::ListPartialResult),
        /// End of the page.
        #[prost(message, tag = "2")]
        Finished(super::ListFinished),
    }
}

/// `stately.db.ContinueListRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ContinueListRequest {
    /// Token from a previous page.
    #[prost(bytes = "bytes", tag = "1")]
    pub token_data: Bytes,
    /// 0 forward, 1 backward.
    #[prost(int32, tag = "2")]
    pub direction: i32,
    /// Schema version.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}

/// `stately.db.TransactionBegin`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionBegin {
    /// Store id.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Schema version.
    #[prost(uint32, tag = "2")]
    pub schema_version_id: u32,
    /// Schema id.
    #[prost(uint64, tag = "3")]
    pub schema_id: u64,
}

/// `stately.db.TransactionGet`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionGet {
    /// Keys to read.
    #[prost(message, repeated, tag = "1")]
    pub gets: Vec<GetItem>,
}

/// `stately.db.TransactionBeginList`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionBeginList {
    /// Key path prefix.
    #[prost(string, tag = "1")]
    pub key_path_prefix: String,
    /// Page size, 0 = unlimited.
    #[prost(uint32, tag = "2")]
    pub limit: u32,
    /// 0 ascending, 1 descending.
    #[prost(int32, tag = "4")]
    pub sort_direction: i32,
    /// Item type filters.
    #[prost(message, repeated, tag = "9")]
    pub filter_conditions: Vec<FilterCondition>,
    /// Key conditions (rejected when present).
    #[prost(bytes = "bytes", repeated, tag = "10")]
    pub key_conditions: Vec<Bytes>,
}

/// `stately.db.TransactionContinueList`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionContinueList {
    /// Token from a previous page of this transaction.
    #[prost(bytes = "bytes", tag = "1")]
    pub token_data: Bytes,
    /// 0 forward, 1 backward.
    #[prost(int32, tag = "4")]
    pub direction: i32,
}

/// `stately.db.TransactionPut`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionPut {
    /// Items to put at commit.
    #[prost(message, repeated, tag = "1")]
    pub puts: Vec<PutItem>,
}

/// `stately.db.TransactionDelete`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionDelete {
    /// Keys to delete at commit.
    #[prost(message, repeated, tag = "1")]
    pub deletes: Vec<DeleteItem>,
}

/// `google.protobuf.Empty`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Empty {}

/// `stately.db.TransactionRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionRequest {
    /// Client-chosen id, echoed in the answer.
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    /// `oneof command`.
    #[prost(
        oneof = "transaction_request::Command",
        tags = "2, 3, 4, 5, 6, 7, 8, 9"
    )]
    pub command: Option<transaction_request::Command>,
}

/// Nested types of [`TransactionRequest`].
pub mod transaction_request {
    /// `oneof command`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Command {
        /// Start (first message).
        #[prost(message, tag = "2")]
        Begin(super::TransactionBegin),
        /// Read keys.
        #[prost(message, tag = "3")]
        GetItems(super::TransactionGet),
        /// Start a list.
        #[prost(message, tag = "4")]
        BeginList(super::TransactionBeginList),
        /// Continue a list.
        #[prost(message, tag = "5")]
        ContinueList(super::TransactionContinueList),
        /// Buffer puts.
        #[prost(message, tag = "6")]
        PutItems(super::TransactionPut),
        /// Buffer deletes.
        #[prost(message, tag = "7")]
        DeleteItems(super::TransactionDelete),
        /// Commit.
        #[prost(message, tag = "8")]
        Commit(super::Empty),
        /// Abort.
        #[prost(message, tag = "9")]
        Abort(super::Empty),
    }
}

/// `stately.db.TransactionGetResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionGetResponse {
    /// The items that exist (as of the transaction's start).
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `stately.db.GeneratedID`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GeneratedId {
    /// `oneof value { uint = 1; bytes = 2 }`: absent when nothing was generated.
    #[prost(oneof = "generated_id::Value", tags = "1, 2")]
    pub value: Option<generated_id::Value>,
}

/// Nested types of [`GeneratedId`].
pub mod generated_id {
    use prost::bytes::Bytes;

    /// `oneof value`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// A generated sequence number.
        #[prost(uint64, tag = "1")]
        Uint(u64),
        /// Generated bytes (never produced by the emulator).
        #[prost(bytes = "bytes", tag = "2")]
        Bytes(Bytes),
    }
}

/// `stately.db.TransactionPutAck`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionPutAck {
    /// One entry per put, in order.
    #[prost(message, repeated, tag = "1")]
    pub generated_ids: Vec<GeneratedId>,
}

/// `stately.db.TransactionListResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionListResponse {
    /// `oneof result`.
    #[prost(oneof = "list_response::Response", tags = "1, 2")]
    pub result: Option<list_response::Response>,
}

/// `stately.db.TransactionFinished`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionFinished {
    /// True after a commit.
    #[prost(bool, tag = "1")]
    pub committed: bool,
    /// Stored items, in put order.
    #[prost(message, repeated, tag = "2")]
    pub put_results: Vec<Item>,
    /// Deleted keys, in delete order.
    #[prost(message, repeated, tag = "3")]
    pub delete_results: Vec<DeleteResult>,
}

/// `stately.db.TransactionResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionResponse {
    /// The request's `message_id`.
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    /// `oneof result`.
    #[prost(oneof = "transaction_response::Result", tags = "2, 3, 4, 5")]
    pub result: Option<transaction_response::Result>,
}

/// Nested types of [`TransactionResponse`].
pub mod transaction_response {
    /// `oneof result`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Result {
        /// Answer to `get_items`.
        #[prost(message, tag = "2")]
        GetResults(super::TransactionGetResponse),
        /// Answer to `put_items`.
        #[prost(message, tag = "3")]
        PutAck(super::TransactionPutAck),
        /// Answer to `begin_list` / `continue_list`.
        #[prost(message, tag = "4")]
        ListResults(super::TransactionListResponse),
        /// Answer to `commit` / `abort`.
        #[prost(message, tag = "5")]
        Finished(super::TransactionFinished),
    }
}

/// `stately.errors.StatelyErrorDetails`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatelyErrorDetails {
    /// StatelyDB's own code, e.g. `ConcurrentModification`.
    #[prost(string, tag = "1")]
    pub stately_code: String,
    /// Human-readable message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// Underlying cause, if any.
    #[prost(string, tag = "3")]
    pub upstream_cause: String,
    /// The numeric Connect code.
    #[prost(uint32, tag = "4")]
    pub code: u32,
}

/// The emulator's continuation state, carried opaquely in `ListToken.token_data`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TokenData {
    /// The list's key path prefix, as sent.
    #[prost(string, tag = "1")]
    pub prefix: String,
    /// True for descending order.
    #[prost(bool, tag = "2")]
    pub descending: bool,
    /// The page size.
    #[prost(uint32, tag = "3")]
    pub limit: u32,
    /// The last key path returned.
    #[prost(string, optional, tag = "4")]
    pub last_key: Option<String>,
    /// Item type filter.
    #[prost(string, repeated, tag = "5")]
    pub item_types: Vec<String>,
    /// Store the token belongs to.
    #[prost(uint64, tag = "6")]
    pub store_id: u64,
    /// Transaction id that made it (0 outside transactions).
    #[prost(uint64, tag = "7")]
    pub txn_id: u64,
}
