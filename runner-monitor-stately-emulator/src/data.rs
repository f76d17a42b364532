//! The emulator's storage: an ordered map of items (copy-on-write, so transactions can hold a
//! snapshot), the version that last wrote each key, sequence counters, metadata and TTL.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use bytes::Bytes;

use super::error::ConnectError;
use super::keys::{KeyId, KeyPath, Namespaces, Prefix, Segment};
use super::proto::{self, PutItem};
use super::schema::{KeyKind, Schema, Ttl};
use super::wire;

/// One stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    /// Item type name.
    pub item_type: String,
    /// Payload as stored (sequence and metadata fields filled).
    pub payload: Bytes,
    /// `createdAtTime` in ms.
    pub created_ms: i64,
    /// `lastModifiedAtTime` in ms.
    pub modified_ms: i64,
    /// `createdAtVersion`.
    pub created_version: u64,
    /// `lastModifiedAtVersion`.
    pub modified_version: u64,
    /// Expiry time in ms, if any.
    pub expires_ms: Option<i64>,
}

impl StoredItem {
    /// Whether the item is still alive at `now_ms`.
    #[must_use]
    pub fn visible(&self, now_ms: i64) -> bool {
        self.expires_ms.is_none_or(|e| e > now_ms)
    }

    /// The item as sent to clients.
    #[must_use]
    pub fn to_proto(&self) -> proto::Item {
        proto::Item {
            item_type: self.item_type.clone(),
            payload: Some(proto::item::Payload::Proto(self.payload.clone())),
        }
    }
}

/// Ordered items.
pub type Items = BTreeMap<KeyPath, StoredItem>;

/// A sequence counter: (parent key path, item type).
pub type SeqKey = (KeyPath, String);

#[derive(Debug, Clone, Copy, Default)]
struct SeqState {
    last: u64,
    version: u64,
}

/// Entries of `map` under `prefix`, in ascending key order.
pub fn scan<'a, V>(
    map: &'a BTreeMap<KeyPath, V>,
    prefix: &'a Prefix,
) -> impl Iterator<Item = (&'a KeyPath, &'a V)> + 'a {
    let n = prefix.path.0.len();
    map.range::<KeyPath, _>((Bound::Included(&prefix.path), Bound::Unbounded))
        .take_while(move |(k, _)| k.0.len() >= n && k.0[..n] == prefix.path.0[..])
        .filter(move |(k, _)| prefix.matches(k))
}

/// A put, decoded against the schema, with its key (complete once its sequence is assigned).
#[derive(Debug, Clone)]
pub struct DecodedPut {
    item_type: String,
    payload: Vec<u8>,
    segments: Vec<Segment>,
    /// (namespace, field) of a pending sequence segment.
    pending_seq: Option<(String, u32)>,
    /// Explicit sequence id given by the client (counter raised to it).
    explicit_seq: Option<u64>,
    must_not_exist: bool,
    overwrite_metadata: bool,
    created_field: Option<u32>,
    modified_field: Option<u32>,
    ttl: Option<Ttl>,
    seq_field: Option<u32>,
}

fn bad_payload(e: impl std::fmt::Display) -> ConnectError {
    ConnectError::invalid(e.to_string())
}

impl DecodedPut {
    /// Decodes a put: item type, payload, key fields.
    ///
    /// # Errors
    /// `invalid_argument` for an unknown type, a JSON or malformed payload, or missing key fields.
    pub fn decode(schema: &Schema, put: &PutItem) -> Result<DecodedPut, ConnectError> {
        let item = put
            .item
            .as_ref()
            .ok_or_else(|| ConnectError::invalid("put without an item"))?;
        let ty = schema.item_type(&item.item_type).ok_or_else(|| {
            ConnectError::invalid(format!("unknown item type {:?}", item.item_type))
        })?;
        let payload = match &item.payload {
            Some(proto::item::Payload::Proto(b)) => b.to_vec(),
            Some(proto::item::Payload::Json(_)) => {
                return Err(ConnectError::new(
                    super::error::Code::Unimplemented,
                    "JSON item payloads are not supported by the emulator",
                ));
            }
            None => Vec::new(),
        };
        let fields = wire::parse(&payload).map_err(bad_payload)?;
        if let Some(missing) = ty.required.iter().find(|n| !wire::non_zero(&fields, **n)) {
            return Err(ConnectError::invalid(format!(
                "{}: required field #{missing} is missing or zero",
                ty.name
            )));
        }
        let mut segments = Vec::new();
        let mut pending_seq = None;
        let mut explicit_seq = None;
        for (ns, var) in &ty.segments {
            let Some(v) = ty.var(var) else {
                return Err(ConnectError::new(
                    super::error::Code::Internal,
                    format!("schema variable {var:?} undeclared"),
                ));
            };
            let id = match v.kind {
                KeyKind::String => {
                    let s = wire::string(&fields, v.field).map_err(bad_payload)?;
                    if s.is_empty() {
                        return Err(ConnectError::invalid(format!(
                            "{}: key field {var} (#{}) is empty",
                            ty.name, v.field
                        )));
                    }
                    KeyId::Str(s)
                }
                KeyKind::Uint => {
                    let n = wire::uint(&fields, v.field).map_err(bad_payload)?;
                    if ty.sequence_field == Some(v.field) {
                        if n == 0 {
                            pending_seq = Some((ns.clone(), v.field));
                            continue;
                        }
                        explicit_seq = Some(n);
                    }
                    KeyId::Uint(n)
                }
            };
            segments.push(Segment { ns: ns.clone(), id });
        }
        Ok(DecodedPut {
            item_type: ty.name.clone(),
            payload,
            segments,
            pending_seq,
            explicit_seq,
            must_not_exist: put.must_not_exist,
            overwrite_metadata: put.overwrite_metadata_timestamps,
            created_field: ty.created_at_field,
            modified_field: ty.last_modified_at_field,
            ttl: ty.ttl,
            seq_field: ty.sequence_field,
        })
    }

    /// The sequence counter this put uses, if its type has one (the sequence variable is the
    /// last segment, so the parent is every other segment).
    fn seq_key(&self) -> Option<SeqKey> {
        self.seq_field?;
        let n = if self.pending_seq.is_some() {
            self.segments.len()
        } else {
            self.segments.len().saturating_sub(1)
        };
        Some((KeyPath(self.segments[..n].to_vec()), self.item_type.clone()))
    }

    /// The complete key path (after [`SeqAlloc::assign`]).
    #[must_use]
    pub fn key(&self) -> KeyPath {
        KeyPath(self.segments.clone())
    }
}

/// Sequence ids handed out by a batch or transaction, not yet committed.
#[derive(Debug, Default, Clone)]
pub struct SeqAlloc {
    last: HashMap<SeqKey, u64>,
    /// Counter versions seen when ids were generated (a transaction's "reads").
    observed: HashMap<SeqKey, u64>,
}

impl SeqAlloc {
    /// Completes the put's key: generates the next id when the sequence field was 0, or raises
    /// the counter to an explicit id. Returns the generated id.
    ///
    /// # Errors
    /// `invalid_argument` when the payload cannot be rewritten.
    pub fn assign(&mut self, db: &Db, put: &mut DecodedPut) -> Result<Option<u64>, ConnectError> {
        let Some(key) = put.seq_key() else {
            return Ok(None);
        };
        let committed = db.seqs.get(&key).copied().unwrap_or_default();
        let last = self.last.get(&key).copied().unwrap_or(committed.last);
        if let Some((ns, field)) = put.pending_seq.take() {
            let id = last + 1;
            self.last.insert(key.clone(), id);
            self.observed.entry(key).or_insert(committed.version);
            put.payload = wire::set_varint(&put.payload, field, id).map_err(bad_payload)?;
            put.segments.push(Segment {
                ns,
                id: KeyId::Uint(id),
            });
            put.explicit_seq = Some(id);
            Ok(Some(id))
        } else {
            if let Some(id) = put.explicit_seq {
                self.last.insert(key, last.max(id));
            }
            Ok(None)
        }
    }

    /// Whether a counter used by this allocation moved since ids were generated.
    #[must_use]
    pub fn stale(&self, db: &Db) -> bool {
        self.observed
            .iter()
            .any(|(k, v)| db.seqs.get(k).map_or(0, |s| s.version) != *v)
    }
}

/// A write of a batch or transaction.
#[derive(Debug, Clone)]
pub enum Write {
    /// Create or replace.
    Put(DecodedPut),
    /// Delete (missing keys are fine).
    Delete(KeyPath),
}

/// What a successful [`Db::apply`] wrote.
#[derive(Debug, Default)]
pub struct Applied {
    /// Stored items, in put order.
    pub put_items: Vec<proto::Item>,
    /// Deleted key paths, in delete order.
    pub deleted: Vec<String>,
}

/// The whole store.
#[derive(Debug, Default)]
pub struct Db {
    /// Items (copy-on-write: snapshots are `Arc` clones).
    pub items: Arc<Items>,
    versions: BTreeMap<KeyPath, u64>,
    seqs: HashMap<SeqKey, SeqState>,
    /// Version of the last commit.
    pub version: u64,
}

fn field_or(payload: &[u8], field: Option<u32>, fallback: i64) -> Result<i64, ConnectError> {
    let Some(f) = field else { return Ok(fallback) };
    let fields = wire::parse(payload).map_err(bad_payload)?;
    let v = wire::sint(&fields, f).map_err(bad_payload)?;
    Ok(if v == 0 { fallback } else { v })
}

impl Db {
    /// The item at `key`, if it exists and has not expired.
    #[must_use]
    pub fn get(&self, key: &KeyPath, now_ms: i64) -> Option<&StoredItem> {
        self.items.get(key).filter(|i| i.visible(now_ms))
    }

    /// Whether `key` was written after `version`.
    #[must_use]
    pub fn key_changed_since(&self, key: &KeyPath, version: u64) -> bool {
        self.versions.get(key).is_some_and(|v| *v > version)
    }

    /// Whether any key under `prefix` was written after `version`.
    #[must_use]
    pub fn prefix_changed_since(&self, prefix: &Prefix, version: u64) -> bool {
        scan(&self.versions, prefix).any(|(_, v)| *v > version)
    }

    /// Applies writes atomically as one new version: all or nothing.
    ///
    /// # Errors
    /// ConditionalCheckFailed for a `must_not_exist` put on an existing key; `invalid_argument`
    /// for a payload that cannot be rewritten. Nothing is written then.
    pub fn apply(
        &mut self,
        writes: Vec<Write>,
        seqs: &SeqAlloc,
        now_ms: i64,
    ) -> Result<Applied, ConnectError> {
        let version = self.version + 1;
        // Stage: the batch's own writes are visible to its later writes.
        let mut staged: Vec<(KeyPath, Option<StoredItem>)> = Vec::new();
        let mut applied = Applied::default();
        for w in writes {
            match w {
                Write::Delete(key) => {
                    applied.deleted.push(key.to_string());
                    staged.push((key, None));
                }
                Write::Put(put) => {
                    let key = put.key();
                    let existing = match staged.iter().rev().find(|(k, _)| *k == key) {
                        Some((_, staged)) => staged.clone(),
                        None => self.get(&key, now_ms).cloned(),
                    };
                    let item = self.stored(put, existing.as_ref(), now_ms, version, &key)?;
                    applied.put_items.push(item.to_proto());
                    staged.push((key, Some(item)));
                }
            }
        }
        // Commit.
        let items = Arc::make_mut(&mut self.items);
        for (key, item) in staged {
            match item {
                Some(item) => {
                    items.insert(key.clone(), item);
                    self.versions.insert(key, version);
                }
                None => {
                    if items.remove(&key).is_some_and(|old| old.visible(now_ms)) {
                        self.versions.insert(key, version);
                    }
                }
            }
        }
        for (key, last) in &seqs.last {
            let state = self.seqs.entry(key.clone()).or_default();
            if *last > state.last {
                state.last = *last;
                state.version = version;
            }
        }
        self.version = version;
        Ok(applied)
    }

    fn stored(
        &self,
        put: DecodedPut,
        existing: Option<&StoredItem>,
        now_ms: i64,
        version: u64,
        key: &KeyPath,
    ) -> Result<StoredItem, ConnectError> {
        if put.must_not_exist && existing.is_some() {
            return Err(ConnectError::conditional_check_failed(format!(
                "item {key} already exists"
            )));
        }
        let mut payload = put.payload;
        let (created_ms, modified_ms) = if put.overwrite_metadata {
            let created = field_or(&payload, put.created_field, now_ms)?;
            (created, field_or(&payload, put.modified_field, now_ms)?)
        } else {
            (existing.map_or(now_ms, |e| e.created_ms), now_ms)
        };
        if let Some(f) = put.created_field {
            payload = wire::set_sint(&payload, f, created_ms).map_err(bad_payload)?;
        }
        if let Some(f) = put.modified_field {
            payload = wire::set_sint(&payload, f, modified_ms).map_err(bad_payload)?;
        }
        let expires_ms = match put.ttl {
            None => None,
            Some(Ttl::AtTimestamp { field }) => {
                Some(field_or(&payload, Some(field), 0)?).filter(|t| *t != 0)
            }
            Some(Ttl::FromCreated(d)) => Some(created_ms.saturating_add(duration_ms(d))),
            Some(Ttl::FromLastModified(d)) => Some(modified_ms.saturating_add(duration_ms(d))),
        };
        Ok(StoredItem {
            item_type: put.item_type,
            payload: Bytes::from(payload),
            created_ms,
            modified_ms,
            created_version: existing.map_or(version, |e| e.created_version),
            modified_version: version,
            expires_ms,
        })
    }
}

fn duration_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Parses a full key path for a request.
///
/// # Errors
/// `invalid_argument` naming the problem.
pub fn parse_key(path: &str, kinds: &Namespaces) -> Result<KeyPath, ConnectError> {
    super::keys::parse(path, kinds).map_err(|e| ConnectError::invalid(e.to_string()))
}
