//! Item types declared as data: key path templates, key fields, sequences, metadata and TTL.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use super::keys::Namespaces;

/// The kind of a key path variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A string field (wire type 2), escaped in key paths.
    String,
    /// A `uint64` field (varint), decimal in key paths.
    Uint,
}

/// How an item type expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    /// At the time in a `sint64` milliseconds field; 0 means never.
    AtTimestamp {
        /// Field number.
        field: u32,
    },
    /// A fixed duration after creation.
    FromCreated(Duration),
    /// A fixed duration after the last modification.
    FromLastModified(Duration),
}

/// A key path variable: `:name` in the template, read from field `field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyVar {
    /// Variable name in the template.
    pub name: String,
    /// Field number in the item's message.
    pub field: u32,
    /// String or unsigned integer.
    pub kind: KeyKind,
}

/// One item type of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemType {
    /// Type name (`Item.item_type`).
    pub name: String,
    /// Key path template, e.g. `/repo-:repoId/runner-:name`.
    pub template: String,
    /// The template's variables, in declaration order.
    pub vars: Vec<KeyVar>,
    /// Field with `initialValue: sequence` (must be the last key variable).
    pub sequence_field: Option<u32>,
    /// Field filled with `createdAtTime` (sint64 ms).
    pub created_at_field: Option<u32>,
    /// Field filled with `lastModifiedAtTime` (sint64 ms).
    pub last_modified_at_field: Option<u32>,
    /// Expiry rule.
    pub ttl: Option<Ttl>,
    /// Fields a put must set to a non-zero value (the schema package's default for every
    /// non-bool field without `required: false`, `readDefault`, `initialValue` or
    /// `fromMetadata`), as the server validates them.
    pub required: Vec<u32>,
    /// Parsed template: (namespace, variable name) per segment.
    pub(crate) segments: Vec<(String, String)>,
}

impl ItemType {
    /// A new item type with its key path template (variables declared with [`ItemType::key`]).
    #[must_use]
    pub fn new(name: &str, template: &str) -> Self {
        let segments = template
            .split('/')
            .skip(1)
            .map(|seg| match seg.split_once("-:") {
                Some((ns, var)) => (ns.to_owned(), var.to_owned()),
                None => (seg.to_owned(), String::new()),
            })
            .collect();
        ItemType {
            name: name.to_owned(),
            template: template.to_owned(),
            vars: Vec::new(),
            sequence_field: None,
            created_at_field: None,
            last_modified_at_field: None,
            ttl: None,
            required: Vec::new(),
            segments,
        }
    }

    /// Declares the field and kind of a template variable.
    #[must_use]
    pub fn key(mut self, name: &str, field: u32, kind: KeyKind) -> Self {
        self.vars.push(KeyVar {
            name: name.to_owned(),
            field,
            kind,
        });
        self
    }

    /// Marks `field` as `initialValue: sequence`.
    #[must_use]
    pub fn sequence(mut self, field: u32) -> Self {
        self.sequence_field = Some(field);
        self
    }

    /// Marks `field` as `fromMetadata: createdAtTime` (sint64 ms).
    #[must_use]
    pub fn created_at(mut self, field: u32) -> Self {
        self.created_at_field = Some(field);
        self
    }

    /// Marks `field` as `fromMetadata: lastModifiedAtTime` (sint64 ms).
    #[must_use]
    pub fn last_modified_at(mut self, field: u32) -> Self {
        self.last_modified_at_field = Some(field);
        self
    }

    /// Declares the fields a put must set non-zero (see [`ItemType::required`]).
    #[must_use]
    pub fn required(mut self, fields: &[u32]) -> Self {
        self.required = fields.to_vec();
        self
    }

    /// Sets the TTL rule.
    #[must_use]
    pub fn ttl(mut self, ttl: Ttl) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The variable used in segment `i`.
    pub(crate) fn var(&self, name: &str) -> Option<&KeyVar> {
        self.vars.iter().find(|v| v.name == name)
    }
}

/// A schema: id, version and item types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Schema id (`schema_id` in requests).
    pub schema_id: u64,
    /// The newest published schema version; never 0. Requests may carry any published version,
    /// 1 to `version` (items are stored and returned as written: translation between versions
    /// is not modelled).
    pub version: u32,
    /// Item types.
    pub item_types: Vec<ItemType>,
}

/// A schema that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid emulator schema: {}", self.0)
    }
}

impl std::error::Error for SchemaError {}

impl Schema {
    /// Looks an item type up by name.
    #[must_use]
    pub fn item_type(&self, name: &str) -> Option<&ItemType> {
        self.item_types.iter().find(|t| t.name == name)
    }

    /// Checks templates and declarations, and returns the namespace -> id kind table.
    ///
    /// # Errors
    /// [`SchemaError`] naming the first inconsistency.
    pub fn validate(&self) -> Result<Namespaces, SchemaError> {
        let err = |m: String| Err(SchemaError(m));
        if self.version == 0 {
            return err("schema version must be non-zero".into());
        }
        let mut kinds: Namespaces = HashMap::new();
        for t in &self.item_types {
            if !t.template.starts_with('/') || t.segments.is_empty() {
                return err(format!("{}: bad template {:?}", t.name, t.template));
            }
            for (ns, var) in &t.segments {
                if ns.is_empty() || ns.contains('-') || ns.contains('%') {
                    return err(format!("{}: bad namespace {ns:?}", t.name));
                }
                let Some(v) = t.var(var) else {
                    return err(format!("{}: variable {var:?} is not declared", t.name));
                };
                if let Some(prev) = kinds.insert(ns.clone(), v.kind)
                    && prev != v.kind
                {
                    return err(format!("namespace {ns:?} has ids of two kinds"));
                }
            }
            if let Some(seq) = t.sequence_field {
                let last = t.segments.last().and_then(|(_, var)| t.var(var));
                if !last.is_some_and(|v| v.field == seq && v.kind == KeyKind::Uint) {
                    return err(format!(
                        "{}: the sequence field must be the last key variable, a uint",
                        t.name
                    ));
                }
            }
        }
        Ok(kinds)
    }
}

/// The original TypeScript monitor's schema id, kept by later versions.
pub const RUNNER_MONITOR_SCHEMA_ID: u64 = 3_168_601_782_134_171;

/// runner-monitor's schema version 3 (`runner-monitor-stately/schema/`: field numbers and the
/// required fields are those of its `wire-fields.json`, checked by a test there).
#[must_use]
pub fn runner_monitor_schema() -> Schema {
    use KeyKind::{String as S, Uint as U};
    Schema {
        schema_id: RUNNER_MONITOR_SCHEMA_ID,
        version: 3,
        item_types: vec![
            ItemType::new("Repository", "/repo-:repoId")
                .key("repoId", 1, S)
                .created_at(5)
                .required(&[1, 2]),
            ItemType::new("Runner", "/repo-:repoId/runner-:name")
                .key("repoId", 2, S)
                .key("name", 3, S)
                .created_at(10)
                .last_modified_at(11)
                .required(&[1, 2, 3, 4]),
            ItemType::new(
                "OutageEvent",
                "/repo-:repoId/history-:runnerId/outage-:outageId",
            )
            .key("repoId", 2, S)
            .key("runnerId", 3, U)
            .key("outageId", 1, U)
            .sequence(1)
            .created_at(9)
            .last_modified_at(10)
            .ttl(Ttl::AtTimestamp { field: 16 })
            .required(&[2, 3, 4, 5]),
            ItemType::new("OutageCounter", "/repo-:repoId/counter-:runnerName")
                .key("repoId", 1, S)
                .key("runnerName", 2, S)
                .required(&[1, 2, 3]),
            ItemType::new("Delivery", "/repo-:repoId/delivery-:seq")
                .key("repoId", 1, S)
                .key("seq", 2, U)
                .sequence(2)
                .ttl(Ttl::AtTimestamp { field: 10 })
                .required(&[1, 3, 4, 5]),
            ItemType::new("ScopeIndex", "/index-:indexId/scope-:repoId")
                .key("indexId", 1, S)
                .key("repoId", 2, S)
                .required(&[1, 2]),
            ItemType::new("Receipt", "/receipts-:sink/receipt-:key")
                .key("sink", 1, S)
                .key("key", 2, S)
                .required(&[1, 2]),
            ItemType::new("Silence", "/index-:indexId/silence-:silenceId")
                .key("indexId", 1, S)
                .key("silenceId", 2, S)
                .ttl(Ttl::AtTimestamp { field: 4 })
                .required(&[1, 2, 3]),
        ],
    }
}

/// The original TypeScript monitor's schema (version 2): outages expire 30 days after creation
/// and every non-bool field it declared is required, except `resolvedAt` (`required: false`) and
/// `runnerName` (`readDefault: "Unknown"`).
#[must_use]
pub fn original_schema() -> Schema {
    let mut s = runner_monitor_schema();
    s.version = 2;
    s.item_types.truncate(3);
    let required: [&[u32]; 3] = [&[1, 2, 3, 6], &[1, 2, 3, 4, 6, 7, 8, 9], &[2, 3, 4, 5, 7]];
    for (t, r) in s.item_types.iter_mut().zip(required) {
        t.required = r.to_vec();
    }
    if let Some(outage) = s.item_types.get_mut(2) {
        outage.ttl = Some(Ttl::FromCreated(Duration::from_secs(30 * 24 * 3600)));
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_schemas_are_valid() {
        let kinds = runner_monitor_schema().validate().unwrap();
        assert_eq!(kinds["history"], KeyKind::Uint);
        assert_eq!(kinds["runner"], KeyKind::String);
        assert_eq!(kinds["delivery"], KeyKind::Uint);
        original_schema().validate().unwrap();
    }

    #[test]
    fn rejects_inconsistent_schemas() {
        let bad = |t: ItemType| Schema {
            schema_id: 1,
            version: 1,
            item_types: vec![t],
        };
        assert!(bad(ItemType::new("A", "/a-:x")).validate().is_err());
        assert!(
            bad(ItemType::new("A", "/a-:x/b-:y")
                .key("x", 1, KeyKind::String)
                .key("y", 2, KeyKind::Uint)
                .sequence(1))
            .validate()
            .is_err()
        );
        let two = Schema {
            schema_id: 1,
            version: 1,
            item_types: vec![
                ItemType::new("A", "/a-:x").key("x", 1, KeyKind::String),
                ItemType::new("B", "/a-:x").key("x", 1, KeyKind::Uint),
            ],
        };
        assert!(two.validate().is_err());
    }
}
