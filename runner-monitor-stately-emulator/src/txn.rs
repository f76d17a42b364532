//! Transaction state: a snapshot at begin, the keys and prefixes read, buffered writes, and the
//! optimistic check at commit.

use std::collections::HashSet;
use std::sync::Arc;

use super::data::{Applied, Db, DecodedPut, Items, SeqAlloc, Write};
use super::error::ConnectError;
use super::keys::{KeyPath, Prefix};
use super::list::{ListQuery, PageOptions, page};
use super::proto::{GeneratedId, Item, PutItem, generated_id, list_response};
use super::schema::Schema;

/// One open transaction.
#[derive(Debug)]
pub struct Txn {
    /// Id (scopes list tokens to this transaction).
    pub id: u64,
    begin_version: u64,
    snapshot: Arc<Items>,
    read_keys: HashSet<KeyPath>,
    read_prefixes: Vec<Prefix>,
    seqs: SeqAlloc,
    writes: Vec<Write>,
}

impl Txn {
    /// Starts a transaction on the current state.
    #[must_use]
    pub fn begin(db: &Db, id: u64) -> Txn {
        Txn {
            id,
            begin_version: db.version,
            snapshot: Arc::clone(&db.items),
            read_keys: HashSet::new(),
            read_prefixes: Vec::new(),
            seqs: SeqAlloc::default(),
            writes: Vec::new(),
        }
    }

    /// Puts and deletes buffered so far.
    #[must_use]
    pub fn write_count(&self) -> usize {
        self.writes.len()
    }

    /// Reads keys as of the transaction's start (its own buffered writes are not visible).
    pub fn get(&mut self, keys: Vec<KeyPath>, now_ms: i64) -> Vec<Item> {
        let mut out = Vec::new();
        for key in keys {
            if let Some(item) = self.snapshot.get(&key).filter(|i| i.visible(now_ms)) {
                out.push(item.to_proto());
            }
            self.read_keys.insert(key);
        }
        out
    }

    /// Lists as of the transaction's start; the whole prefix counts as read.
    pub fn list(
        &mut self,
        q: &ListQuery,
        now_ms: i64,
        opts: PageOptions,
    ) -> Vec<list_response::Response> {
        if !self.read_prefixes.contains(&q.prefix) {
            self.read_prefixes.push(q.prefix.clone());
        }
        page(&self.snapshot, q, now_ms, opts)
    }

    /// Buffers puts; generated sequence ids are chosen now (one entry per put).
    ///
    /// # Errors
    /// `invalid_argument` for an item the schema cannot place.
    pub fn put(
        &mut self,
        schema: &Schema,
        db: &Db,
        puts: &[PutItem],
    ) -> Result<Vec<GeneratedId>, ConnectError> {
        let mut ids = Vec::with_capacity(puts.len());
        let mut decoded = Vec::with_capacity(puts.len());
        let mut seqs = self.seqs.clone();
        for p in puts {
            let mut d = DecodedPut::decode(schema, p)?;
            let id = seqs.assign(db, &mut d)?;
            ids.push(GeneratedId {
                value: id.map(generated_id::Value::Uint),
            });
            decoded.push(d);
        }
        self.seqs = seqs;
        self.writes.extend(decoded.into_iter().map(Write::Put));
        Ok(ids)
    }

    /// Buffers deletes.
    pub fn delete(&mut self, keys: Vec<KeyPath>) {
        self.writes.extend(keys.into_iter().map(Write::Delete));
    }

    /// Commits: fails with ConcurrentModification when anything read (keys, list prefixes,
    /// sequence counters used for generated ids) was written since begin; otherwise applies
    /// every buffered write atomically.
    ///
    /// # Errors
    /// ConcurrentModification, or [`Db::apply`]'s errors.
    pub fn commit(self, db: &mut Db, now_ms: i64) -> Result<Applied, ConnectError> {
        // Release the snapshot first, or applying would copy the whole map.
        drop(self.snapshot);
        let since = self.begin_version;
        if let Some(k) = self
            .read_keys
            .iter()
            .find(|k| db.key_changed_since(k, since))
        {
            return Err(ConnectError::concurrent_modification(format!(
                "{k} was modified after the transaction read it"
            )));
        }
        if let Some(p) = self
            .read_prefixes
            .iter()
            .find(|p| db.prefix_changed_since(p, since))
        {
            return Err(ConnectError::concurrent_modification(format!(
                "items under {} changed after the transaction listed them",
                p.path
            )));
        }
        if self.seqs.stale(db) {
            return Err(ConnectError::concurrent_modification(
                "a sequence id generated in this transaction was taken by another writer",
            ));
        }
        db.apply(self.writes, &self.seqs, now_ms)
    }
}
