//! `OutageCounter` (`/repo-:repoId/counter-:runnerName`, schema v3): the last outage id of a
//! runner name and the GitHub ids its outages are recorded under. Survives forgetting the runner.

use crate::keys;

/// The `OutageCounter` item.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct OutageCounter {
    /// The scope's canonical id.
    #[prost(string, tag = "1")]
    pub repo_id: String,
    /// The runner's name.
    #[prost(string, tag = "2")]
    pub runner_name: String,
    /// The highest outage id used for this name.
    #[prost(uint64, tag = "3")]
    pub last_outage_id: u64,
    /// GitHub ids whose `history-:runnerId` holds this name's outages, oldest first.
    #[prost(uint64, repeated, tag = "4")]
    pub runner_ids: Vec<u64>,
}

impl OutageCounter {
    /// The schema's item type name.
    pub const TYPE: &'static str = "OutageCounter";

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::counter(&self.repo_id, &self.runner_name)
    }

    /// Records outage `id` opened under GitHub id `runner_id`.
    pub fn record(&mut self, id: u64, runner_id: u64) {
        self.last_outage_id = self.last_outage_id.max(id);
        if !self.runner_ids.contains(&runner_id) {
            self.runner_ids.push(runner_id);
        }
    }
}
