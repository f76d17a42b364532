//! Applying a commit's changes to a [`ScopeState`]: the store rules every backend shares.

use std::collections::BTreeSet;

use super::{Change, ScopeState};
use crate::ports::StoreError;

impl ScopeState {
    /// Applies the state-visible part of `changes` (scope record, runners, open outages, outage
    /// numbering) after checking the outage rules, or changes nothing and returns the first
    /// violation. `Enqueue` and `ExpireHistory` concern history and the outbox and are skipped;
    /// the version is not touched. Backends that keep a [`ScopeState`] in memory use this to
    /// enforce the same rules; the engine's tests use it as the reference store.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an `OpenOutage` that does not continue the runner's numbering or
    /// whose runner already has an open outage, and for a `ResolveOutage` / `RecordReminder` of an
    /// outage that is not open.
    ///
    /// # Examples
    /// ```
    /// # use runner_monitor_core::*;
    /// # use chrono::{TimeZone, Utc};
    /// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let mut state = ScopeState::empty("acme/api".parse().unwrap());
    /// let outage = |id| Outage {
    ///     runner: "r1".into(), id, runner_id: 7, trigger: RunnerStatus::Offline,
    ///     started_at: at, resolved_at: None, resolution: None,
    ///     description: String::new(), reminders: 0, last_reminded_at: None, acknowledged: None,
    /// };
    /// assert!(state.apply(&[Change::OpenOutage(outage(2))]).is_err()); // must start at 1
    /// state.apply(&[Change::OpenOutage(outage(1))])?;
    /// assert_eq!(state.next_outage_id("r1"), 2);
    /// # Ok::<(), StoreError>(())
    /// ```
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        let mut next = self.clone();
        for change in changes {
            next.apply_one(change)?;
        }
        *self = next;
        Ok(())
    }

    fn apply_one(&mut self, change: &Change) -> Result<(), StoreError> {
        match change {
            Change::PutScope(record) => self.record = record.clone(),
            Change::PutRunner(runner) => {
                self.runners.insert(runner.name.clone(), runner.clone());
            }
            Change::DeleteRunner { name } => {
                self.runners.remove(name);
            }
            Change::OpenOutage(outage) => {
                let expected = self.next_outage_id(&outage.runner);
                if outage.id != expected {
                    return Err(invalid(format!(
                        "outage {} of runner {} breaks the numbering: expected id {expected}",
                        outage.id, outage.runner
                    )));
                }
                if outage.resolved_at.is_some() {
                    return Err(invalid(format!(
                        "outage {} of runner {} is opened already resolved",
                        outage.id, outage.runner
                    )));
                }
                if let Some(open) = self.open_outages.get(&outage.runner) {
                    return Err(invalid(format!(
                        "runner {} already has open outage {}",
                        outage.runner, open.id
                    )));
                }
                self.last_outage_ids
                    .insert(outage.runner.clone(), outage.id);
                self.open_outages
                    .insert(outage.runner.clone(), outage.clone());
            }
            Change::ResolveOutage { runner, id, .. } => {
                self.open_outage(runner, *id)?;
                self.open_outages.remove(runner);
            }
            Change::RecordReminder { runner, id, at } => {
                let outage = self.open_outage(runner, *id)?;
                outage.reminders += 1;
                outage.last_reminded_at = Some(*at);
            }
            Change::Enqueue { .. } | Change::ExpireHistory { .. } => {}
        }
        Ok(())
    }

    fn open_outage(&mut self, runner: &str, id: u64) -> Result<&mut super::Outage, StoreError> {
        match self.open_outages.get_mut(runner) {
            Some(outage) if outage.id == id => Ok(outage),
            _ => Err(invalid(format!(
                "outage {id} of runner {runner} is not open"
            ))),
        }
    }

    /// Names of runners that have an open outage but no record (data written by older versions);
    /// the engine resolves them.
    pub(crate) fn orphan_outages(&self) -> BTreeSet<&str> {
        self.open_outages
            .keys()
            .filter(|name| !self.runners.contains_key(*name))
            .map(String::as_str)
            .collect()
    }
}

fn invalid(message: String) -> StoreError {
    StoreError::Invalid { message }
}
