//! `stately.db.DatabaseService` messages for Put, Get, Delete and List.

/// `Item { item_type = 1; oneof payload { proto = 2 bytes; json = 3 Struct } }`. Only the binary
/// payload is used (the JSON form is never requested).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Item {
    /// The schema's item type name, e.g. `Runner`.
    #[prost(string, tag = "1")]
    pub item_type: String,
    /// The item's fields.
    #[prost(oneof = "item::Payload", tags = "2")]
    pub payload: Option<item::Payload>,
}

/// The `payload` oneof of [`Item`].
pub mod item {
    /// An item's fields, serialized.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Payload {
        /// Binary protobuf of the item type's message.
        #[prost(bytes = "vec", tag = "2")]
        Proto(Vec<u8>),
    }
}

impl Item {
    /// An item of `item_type` with a binary payload.
    pub fn new(item_type: impl Into<String>, proto: Vec<u8>) -> Self {
        Item {
            item_type: item_type.into(),
            payload: Some(item::Payload::Proto(proto)),
        }
    }

    /// The binary payload (empty when the item has none).
    pub fn proto(&self) -> &[u8] {
        match &self.payload {
            Some(item::Payload::Proto(bytes)) => bytes,
            None => &[],
        }
    }
}

/// `PutItem { item = 1; overwrite_metadata_timestamps = 2; must_not_exist = 3 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutItem {
    /// The item (its key path is derived by the server from its fields).
    #[prost(message, optional, tag = "1")]
    pub item: Option<Item>,
    /// Take metadata timestamps from the item instead of the server clock.
    #[prost(bool, tag = "2")]
    pub overwrite_metadata_timestamps: bool,
    /// Fail with ConditionalCheckFailed if the key exists.
    #[prost(bool, tag = "3")]
    pub must_not_exist: bool,
}

impl PutItem {
    /// A plain create-or-replace put.
    pub fn new(item: Item) -> Self {
        PutItem {
            item: Some(item),
            overwrite_metadata_timestamps: false,
            must_not_exist: false,
        }
    }
}

/// `PutRequest { store_id = 1; puts = 2; schema_version_id = 3; schema_id = 4 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutRequest {
    /// The store.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Items to put, atomically.
    #[prost(message, repeated, tag = "2")]
    pub puts: Vec<PutItem>,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "3")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "4")]
    pub schema_id: u64,
}

/// `PutResponse { items = 1 }`: the items as stored, in request order.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PutResponse {
    /// Stored items (generated ids and metadata filled in).
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `GetItem { key_path = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetItem {
    /// The item's key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `GetRequest { store_id = 1; gets = 2; allow_stale = 3; schema_version_id = 5; schema_id = 6 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetRequest {
    /// The store.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Keys to read.
    #[prost(message, repeated, tag = "2")]
    pub gets: Vec<GetItem>,
    /// Accept eventually consistent reads.
    #[prost(bool, tag = "3")]
    pub allow_stale: bool,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}

/// `GetResponse { items = 1 }`: only the items that exist.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetResponse {
    /// Found items.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `DeleteItem { key_path = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteItem {
    /// The item's key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `DeleteRequest { store_id = 1; deletes = 3; schema_version_id = 5; schema_id = 6 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteRequest {
    /// The store.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Keys to delete, atomically.
    #[prost(message, repeated, tag = "3")]
    pub deletes: Vec<DeleteItem>,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}

/// `DeleteResult { key_path = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResult {
    /// The deleted key path.
    #[prost(string, tag = "1")]
    pub key_path: String,
}

/// `DeleteResponse { results = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeleteResponse {
    /// One result per delete.
    #[prost(message, repeated, tag = "1")]
    pub results: Vec<DeleteResult>,
}

/// `SortDirection { SORT_ASCENDING = 0; SORT_DESCENDING = 1 }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SortDirection {
    /// By key path, ascending.
    SortAscending = 0,
    /// By key path, descending.
    SortDescending = 1,
}

/// `FilterCondition { oneof value { item_type = 1 } }`; conditions are OR'ed.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FilterCondition {
    /// The condition.
    #[prost(oneof = "filter_condition::Value", tags = "1")]
    pub value: Option<filter_condition::Value>,
}

/// The `value` oneof of [`FilterCondition`].
pub mod filter_condition {
    /// What to keep.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// Items of this type.
        #[prost(string, tag = "1")]
        ItemType(String),
    }
}

/// `BeginListRequest { store_id = 1; key_path_prefix = 2; limit = 3; allow_stale = 4;
/// sort_direction = 6; schema_version_id = 7; schema_id = 8; filter_conditions = 9 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BeginListRequest {
    /// The store.
    #[prost(uint64, tag = "1")]
    pub store_id: u64,
    /// Must include at least the full group key.
    #[prost(string, tag = "2")]
    pub key_path_prefix: String,
    /// Page size cap (fewer may come back).
    #[prost(uint32, tag = "3")]
    pub limit: u32,
    /// Accept eventually consistent reads.
    #[prost(bool, tag = "4")]
    pub allow_stale: bool,
    /// Key order.
    #[prost(enumeration = "SortDirection", tag = "6")]
    pub sort_direction: i32,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "7")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "8")]
    pub schema_id: u64,
    /// Item type filters (OR'ed).
    #[prost(message, repeated, tag = "9")]
    pub filter_conditions: Vec<FilterCondition>,
}

/// `ListPartialResult { items = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPartialResult {
    /// Items of this chunk.
    #[prost(message, repeated, tag = "1")]
    pub items: Vec<Item>,
}

/// `ListToken { token_data = 1; can_continue = 2; can_sync = 3; schema_version_id = 4 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListToken {
    /// Opaque continuation state.
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
    /// More items may follow: call ContinueList.
    #[prost(bool, tag = "2")]
    pub can_continue: bool,
    /// SyncList is possible.
    #[prost(bool, tag = "3")]
    pub can_sync: bool,
    /// Schema version of the listing.
    #[prost(uint32, tag = "4")]
    pub schema_version_id: u32,
}

/// `ListFinished { token = 1 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListFinished {
    /// The continuation token.
    #[prost(message, optional, tag = "1")]
    pub token: Option<ListToken>,
}

/// `ListResponse { oneof response { result = 1; finished = 2 } }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListResponse {
    /// A chunk of items or the end of the page.
    #[prost(oneof = "list_response::Response", tags = "1, 2")]
    pub response: Option<list_response::Response>,
}

/// The `response` oneof of [`ListResponse`].
pub mod list_response {
    /// A chunk of items or the end of the page.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Response {
        /// Items.
        #[prost(message, tag = "1")]
        Result(super::ListPartialResult),
        /// End of this page, with the token.
        #[prost(message, tag = "2")]
        Finished(super::ListFinished),
    }
}

/// `ContinueListRequest { token_data = 1; direction = 2; schema_version_id = 5; schema_id = 6 }`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ContinueListRequest {
    /// From the previous page's token.
    #[prost(bytes = "vec", tag = "1")]
    pub token_data: Vec<u8>,
    /// 0 forward, 1 backward.
    #[prost(int32, tag = "2")]
    pub direction: i32,
    /// The schema version the client speaks.
    #[prost(uint32, tag = "5")]
    pub schema_version_id: u32,
    /// The schema.
    #[prost(uint64, tag = "6")]
    pub schema_id: u64,
}
