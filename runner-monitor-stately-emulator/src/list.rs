//! Listing by key path prefix: order, limit, item type filters, pages and continuation tokens.

use bytes::Bytes;
use prost::Message as _;

use super::data::{Items, scan};
use super::error::{Code, ConnectError};
use super::keys::{KeyPath, Namespaces, Prefix};
use super::proto::{
    FilterCondition, ListFinished, ListPartialResult, ListToken, TokenData, list_response,
};

/// A list in progress: where it is and what it selects.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// The prefix as sent.
    pub prefix_text: String,
    /// The parsed prefix.
    pub prefix: Prefix,
    /// Descending key order.
    pub descending: bool,
    /// Page size (0 = unlimited).
    pub limit: u32,
    /// Item type filter (empty = all).
    pub item_types: Vec<String>,
    /// Continue after this key.
    pub after: Option<KeyPath>,
}

/// Server-side page settings.
#[derive(Debug, Clone, Copy)]
pub struct PageOptions {
    /// Largest page the server returns whatever the limit.
    pub cap: Option<u32>,
    /// Items per `ListPartialResult` message.
    pub chunk: usize,
    /// Store id recorded in tokens.
    pub store_id: u64,
    /// Transaction id recorded in tokens (0 outside transactions).
    pub txn_id: u64,
    /// Schema version recorded in tokens.
    pub schema_version: u32,
}

fn sort_descending(direction: i32) -> Result<bool, ConnectError> {
    match direction {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(ConnectError::invalid(format!("bad sort direction {other}"))),
    }
}

impl ListQuery {
    /// A new list from a BeginList request's fields.
    ///
    /// # Errors
    /// `invalid_argument` for a bad prefix or direction; `unimplemented` for key conditions or
    /// filters other than item type.
    pub fn begin(
        prefix_text: &str,
        kinds: &Namespaces,
        sort_direction: i32,
        limit: u32,
        filters: &[FilterCondition],
        key_conditions: &[Bytes],
    ) -> Result<ListQuery, ConnectError> {
        if !key_conditions.is_empty() {
            return Err(ConnectError::new(
                Code::Unimplemented,
                "key_conditions are not supported by the emulator",
            ));
        }
        let item_types = filters
            .iter()
            .map(|f| {
                f.item_type.clone().ok_or_else(|| {
                    ConnectError::new(
                        Code::Unimplemented,
                        "only item_type filter conditions are supported by the emulator",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ListQuery {
            prefix_text: prefix_text.to_owned(),
            prefix: Prefix::parse(prefix_text, kinds)
                .map_err(|e| ConnectError::invalid(e.to_string()))?,
            descending: sort_descending(sort_direction)?,
            limit,
            item_types,
            after: None,
        })
    }

    /// Resumes a list from a token made by [`page`].
    ///
    /// # Errors
    /// `invalid_argument` for a token that is malformed or from another store or transaction;
    /// `unimplemented` for backward continuation.
    pub fn resume(
        token_data: &[u8],
        direction: i32,
        kinds: &Namespaces,
        store_id: u64,
        txn_id: u64,
    ) -> Result<ListQuery, ConnectError> {
        if direction != 0 {
            return Err(ConnectError::new(
                Code::Unimplemented,
                "backward continuation is not supported by the emulator",
            ));
        }
        let bad = || ConnectError::invalid("invalid list token");
        let t = TokenData::decode(token_data).map_err(|_| bad())?;
        if t.store_id != store_id || t.txn_id != txn_id {
            return Err(ConnectError::invalid(
                "list token belongs to another store or transaction",
            ));
        }
        let after = t
            .last_key
            .as_deref()
            .map(|k| super::keys::parse(k, kinds))
            .transpose()
            .map_err(|_| bad())?;
        Ok(ListQuery {
            prefix: Prefix::parse(&t.prefix, kinds).map_err(|_| bad())?,
            prefix_text: t.prefix,
            descending: t.descending,
            limit: t.limit,
            item_types: t.item_types,
            after,
        })
    }
}

/// One page: `result` messages (chunks) then `finished` with the continuation token.
#[must_use]
pub fn page(
    items: &Items,
    q: &ListQuery,
    now_ms: i64,
    opts: PageOptions,
) -> Vec<list_response::Response> {
    let max = match (q.limit, opts.cap) {
        (0, None) => usize::MAX,
        (0, Some(c)) => c as usize,
        (l, None) => l as usize,
        (l, Some(c)) => l.min(c) as usize,
    }
    .max(1);
    let wanted = |(k, v): &(&KeyPath, &super::data::StoredItem)| {
        v.visible(now_ms) && (q.item_types.is_empty() || q.item_types.contains(&v.item_type)) && {
            match (&q.after, q.descending) {
                (None, _) => true,
                (Some(a), false) => *k > a,
                (Some(a), true) => *k < a,
            }
        }
    };
    let mut matching: Box<dyn Iterator<Item = (&KeyPath, &super::data::StoredItem)>> =
        if q.descending {
            Box::new(scan(items, &q.prefix).collect::<Vec<_>>().into_iter().rev())
        } else {
            Box::new(scan(items, &q.prefix))
        };
    let mut found = Vec::new();
    let mut last = q.after.clone();
    let mut more = false;
    for entry in matching.by_ref() {
        if !wanted(&entry) {
            continue;
        }
        if found.len() == max {
            more = true;
            break;
        }
        last = Some(entry.0.clone());
        found.push(entry.1.to_proto());
    }
    let mut out: Vec<list_response::Response> = found
        .chunks(opts.chunk.max(1))
        .map(|c| list_response::Response::Result(ListPartialResult { items: c.to_vec() }))
        .collect();
    let token = TokenData {
        prefix: q.prefix_text.clone(),
        descending: q.descending,
        limit: q.limit,
        last_key: last.map(|k| k.to_string()),
        item_types: q.item_types.clone(),
        store_id: opts.store_id,
        txn_id: opts.txn_id,
    };
    out.push(list_response::Response::Finished(ListFinished {
        token: Some(ListToken {
            token_data: Bytes::from(token.encode_to_vec()),
            can_continue: more,
            can_sync: false,
            schema_version_id: opts.schema_version,
        }),
    }));
    out
}
