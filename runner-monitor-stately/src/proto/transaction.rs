//! `stately.db` Transaction stream messages.

use super::db::{
    DeleteItem, DeleteResult, FilterCondition, GetItem, Item, ListFinished, ListPartialResult,
    PutItem,
};

/// `google.protobuf.Empty`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct Empty {}

/// `TransactionBegin { store_id = 1; schema_version_id = 2; schema_id = 3 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionBegin {
    /// The store.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "2")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "3")]
    pub schema_id: u64,
}

/// `TransactionGet { gets = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionGet {
    /// Keys to read.
    #[prost(message, repeated, tag = "1")]
    pub gets: Vec<GetItem>,
}

/// `TransactionBeginList { key_path_prefix = 1; limit = 2; sort_direction = 4; filter_conditions = 9 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionBeginList {
    /// Must include at least the full group key.
    #[prost(string, tag = "1")]
    pub key_path_prefix: String,
    /// Page size cap.
    #[prost(uint32, tag = "2")]
    pub limit: u32,
    /// Key order ([`SortDirection`](super::db::SortDirection)).
    #[prost(int32, tag = "4")]
    pub sort_direction: i32,
    /// Item type filters (OR'ed).
    #[prost(message, repeated, tag = "9")]
    pub filter_conditions: Vec<FilterCondition>,
}

/// `TransactionContinueList { token_data = 1; direction = 4 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionContinueList {
    /// From the previous page's token.
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
    /// 0 forward, 1 backward.
    #[prost(int32, tag = "4")]
    pub direction: i32,
}

/// `TransactionPut { puts = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionPut {
    /// Items to put.
    #[prost(message, repeated, tag = "1")]
    pub puts: Vec<PutItem>,
}

/// `TransactionDelete { deletes = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionDelete {
    /// Keys to delete.
    #[prost(message, repeated, tag = "1")]
    pub deletes: Vec<DeleteItem>,
}

/// `TransactionRequest { message_id = 1; oneof command { begin = 2 ... abort = 9 } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionRequest {
    /// From 1, increasing; responses echo it.
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    /// The command.
    #[prost(
        oneof = "transaction_request::Command",
        tags = "2, 3, 4, 5, 6, 7, 8, 9"
    )]
    pub command: Option<transaction_request::Command>,
}

/// The `command` oneof of [`TransactionRequest`].
pub mod transaction_request {
    use super::{
        Empty, TransactionBegin, TransactionBeginList, TransactionContinueList, TransactionDelete,
        TransactionGet, TransactionPut,
    };

    /// One step of a transaction.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Command {
        /// First message; answered only on error.
        #[prost(message, tag = "2")]
        Begin(TransactionBegin),
        /// Answered with `get_results`.
        #[prost(message, tag = "3")]
        GetItems(TransactionGet),
        /// Answered with `list_results`.
        #[prost(message, tag = "4")]
        BeginList(TransactionBeginList),
        /// Answered with `list_results`.
        #[prost(message, tag = "5")]
        ContinueList(TransactionContinueList),
        /// Answered with `put_ack`.
        #[prost(message, tag = "6")]
        PutItems(TransactionPut),
        /// Not answered.
        #[prost(message, tag = "7")]
        DeleteItems(TransactionDelete),
        /// Answered with `finished`.
        #[prost(message, tag = "8")]
        Commit(Empty),
        /// Answered with `finished`.
        #[prost(message, tag = "9")]
        Abort(Empty),
    }
}

/// `TransactionGetResponse { items = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionGetResponse {
    /// Found items.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `GeneratedID { oneof value { uint = 1; bytes = 2 } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GeneratedId {
    /// The generated value, if the put had one.
    #[prost(oneof = "generated_id::Value", tags = "1, 2")]
    pub value: Option<generated_id::Value>,
}

/// The `value` oneof of [`GeneratedId`].
pub mod generated_id {
    /// A generated id.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// A `sequence` (or other integer) id.
        #[prost(uint64, tag = "1")]
        Uint(u64),
        /// A UUID or bytes id.
        #[prost(bytes = "vec", tag = "2")]
        Bytes(Vec<u8>),
    }
}

/// `TransactionPutAck { generated_ids = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionPutAck {
    /// One per put, in order.
    #[prost(message, repeated, tag = "1")]
    pub generated_ids: Vec<GeneratedId>,
}

/// `TransactionListResponse { oneof result { result = 1; finished = 2 } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionListResponse {
    /// A chunk or the end of the page.
    #[prost(oneof = "transaction_list_response::Result", tags = "1, 2")]
    pub result: Option<transaction_list_response::Result>,
}

/// The `result` oneof of [`TransactionListResponse`].
pub mod transaction_list_response {
    use super::{ListFinished, ListPartialResult};

    /// A chunk or the end of the page.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Result {
        /// Items.
        #[prost(message, tag = "1")]
        Result(ListPartialResult),
        /// End of this page.
        #[prost(message, tag = "2")]
        Finished(ListFinished),
    }
}

/// `TransactionFinished { committed = 1; put_results = 2; delete_results = 3 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionFinished {
    /// Whether the transaction committed.
    #[prost(bool, tag = "1")]
    pub committed: bool,
    /// Items as stored.
    #[prost(message, repeated, tag = "2")]
    pub put_results: Vec<Item>,
    /// Deleted keys.
    #[prost(message, repeated, tag = "3")]
    pub delete_results: Vec<DeleteResult>,
}

/// `TransactionResponse { message_id = 1; oneof result { get_results = 2 ... finished = 5 } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransactionResponse {
    /// The request message id this answers.
    #[prost(uint32, tag = "1")]
    pub message_id: u32,
    /// The answer.
    #[prost(oneof = "transaction_response::Result", tags = "2, 3, 4, 5")]
    pub result: Option<transaction_response::Result>,
}

/// The `result` oneof of [`TransactionResponse`].
pub mod transaction_response {
    use super::{
        TransactionFinished, TransactionGetResponse, TransactionListResponse, TransactionPutAck,
    };

    /// An answer to one request message.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Result {
        /// For `get_items`.
        #[prost(message, tag = "2")]
        GetResults(TransactionGetResponse),
        /// For `put_items`.
        #[prost(message, tag = "3")]
        PutAck(TransactionPutAck),
        /// For `begin_list` / `continue_list`.
        #[prost(message, tag = "4")]
        ListResults(TransactionListResponse),
        /// For `commit` / `abort`.
        #[prost(message, tag = "5")]
        Finished(TransactionFinished),
    }
}
