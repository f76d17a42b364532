//! A scope's group as read in one list: every item decoded, and the [`ScopeState`] it amounts to.

use std::collections::BTreeMap;

use runner_monitor_core::{Scope, ScopeRecord, ScopeState};

use crate::error::ClientError;
use crate::items::{DeliveryItem, OutageCounter, OutageEvent, Repository, Runner, StoredItem};
use crate::layout::GroupMap;
use crate::proto::db::Item;

/// The decoded items of one scope.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub scope: Scope,
    /// The `repoId` of the scope's group (per the layout).
    pub repo_id: String,
    pub repository: Option<Repository>,
    pub runners: BTreeMap<String, Runner>,
    pub outages: Vec<OutageEvent>,
    pub counters: BTreeMap<String, OutageCounter>,
    pub deliveries: Vec<DeliveryItem>,
}

impl Snapshot {
    /// Decodes a group's items. Items of another group (a backend matching prefixes by string)
    /// and types this version does not know are ignored.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an undecodable item; [`ClientError::Config`] when the group's
    /// `Repository` belongs to another scope (original layout, see [`GroupMap::check_owner`]).
    pub(crate) fn from_items(
        groups: &GroupMap,
        scope: &Scope,
        items: &[Item],
    ) -> Result<Self, ClientError> {
        let repo_id = groups.repo_id(scope);
        let mut snapshot = Snapshot {
            scope: scope.clone(),
            repo_id: repo_id.clone(),
            repository: None,
            runners: BTreeMap::new(),
            outages: Vec::new(),
            counters: BTreeMap::new(),
            deliveries: Vec::new(),
        };
        for item in items {
            let decoded = StoredItem::decode(item)?;
            if decoded.repo_id() != Some(repo_id.as_str()) {
                continue;
            }
            match decoded {
                StoredItem::Repository(r) => snapshot.repository = Some(r),
                StoredItem::Runner(r) => {
                    snapshot.runners.insert(r.name.clone(), r);
                }
                StoredItem::Outage(o) => snapshot.outages.push(o),
                StoredItem::Counter(c) => {
                    snapshot.counters.insert(c.runner_name.clone(), c);
                }
                StoredItem::Delivery(d) => snapshot.deliveries.push(d),
                StoredItem::ScopeIndex(_)
                | StoredItem::Receipt(_)
                | StoredItem::Silence(_)
                | StoredItem::Other(_) => {}
            }
        }
        groups.check_owner(scope, snapshot.repository.as_ref())?;
        Ok(snapshot)
    }

    /// The scope's version (0 before the first commit, or for the original's items).
    pub(crate) fn version(&self) -> u64 {
        self.repository.as_ref().map_or(0, |r| r.version)
    }

    /// The runner name an outage belongs to: its `runnerName`, or for an item without one the
    /// runner that has (or had) its GitHub id.
    pub(crate) fn runner_name<'a>(&'a self, outage: &'a OutageEvent) -> Option<&'a str> {
        if !outage.runner_name.is_empty() {
            return Some(&outage.runner_name);
        }
        self.runners
            .values()
            .find(|r| r.all_ids().any(|id| id == outage.runner_id))
            .map(|r| r.name.as_str())
    }

    /// The open outage item of `runner` (the highest numbered one, should there be several).
    pub(crate) fn open_outage(&self, runner: &str) -> Option<&OutageEvent> {
        self.outages
            .iter()
            .filter(|o| o.is_open() && self.runner_name(o) == Some(runner))
            .max_by_key(|o| o.number())
    }

    /// Deliveries still pending.
    pub(crate) fn pending_deliveries(&self) -> u64 {
        self.deliveries.iter().filter(|d| d.is_pending()).count() as u64
    }

    /// The state the engine works on.
    pub(crate) fn state(&self) -> Result<ScopeState, ClientError> {
        let mut state = ScopeState::empty(self.scope.clone());
        state.version = self.version();
        state.record = match &self.repository {
            Some(repository) => repository.record()?,
            None => ScopeRecord::default(),
        };
        for runner in self.runners.values() {
            state.runners.insert(runner.name.clone(), runner.record()?);
        }
        for counter in self.counters.values() {
            state
                .last_outage_ids
                .insert(counter.runner_name.clone(), counter.last_outage_id);
        }
        for item in &self.outages {
            let Some(name) = self.runner_name(item) else {
                tracing::warn!(scope = %self.scope, runner_id = item.runner_id,
                    "outage without a runner name or a known runner id; ignored");
                continue;
            };
            let last = state.last_outage_ids.entry(name.to_owned()).or_insert(0);
            *last = (*last).max(item.number());
            if item.is_open()
                && state
                    .open_outages
                    .get(name)
                    .is_none_or(|open| open.id < item.number())
            {
                let mut outage = item.outage()?;
                outage.runner = name.to_owned();
                state.open_outages.insert(name.to_owned(), outage);
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::golden_tests::original_items;

    #[test]
    fn a_group_written_by_the_original_loads() {
        let scope: Scope = "o/r".parse().expect("scope");
        let snapshot =
            Snapshot::from_items(&GroupMap::default(), &scope, &original_items()).expect("decode");
        let state = snapshot.state().expect("state");
        assert_eq!(state.version, 0, "the original never wrote a version");
        assert!(state.runners.contains_key("mbp"));
        assert_eq!(state.open_outages["mbp"].id, 4);
        assert_eq!(
            state.next_outage_id("mbp"),
            5,
            "numbering continues the original's"
        );
        assert!(state.record.last_success_at.is_some());
    }

    #[test]
    fn items_of_other_scopes_are_ignored() {
        let other: Scope = "o/r2".parse().expect("scope");
        let snapshot =
            Snapshot::from_items(&GroupMap::default(), &other, &original_items()).expect("decode");
        assert!(snapshot.repository.is_none() && snapshot.runners.is_empty());
        assert!(snapshot.outages.is_empty());
    }
}
