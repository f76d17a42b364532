//! `ScopeIndex` (`/index-:indexId/scope-:repoId`, schema v3): lets `scopes()` and
//! `pending_deliveries()` find scope groups with one list.

use crate::keys;

/// The `ScopeIndex` item.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ScopeIndex {
    /// The index's name.
    #[prost(string, tag = "1")]
    pub index_id: String,
    /// The scope's canonical id.
    #[prost(string, tag = "2")]
    pub repo_id: String,
    /// Deliveries pending in that scope as of its last write (a hint for the dispatcher).
    #[prost(uint64, tag = "3")]
    pub pending_deliveries: u64,
}

impl ScopeIndex {
    /// The schema's item type name.
    pub const TYPE: &'static str = "ScopeIndex";

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::scope_index(&self.index_id, &self.repo_id)
    }
}
