//! [`Fleet`]: the runners the fake serves, per scope, in id order like GitHub.

use std::collections::BTreeMap;

use runner_monitor_core::{ListedStatus, ObservedRunner, Scope};

use super::runner::FakeRunner;

/// Every scope's runners. Change it through [`FakeGitHub`](super::FakeGitHub)'s methods, or
/// several changes at once with [`FakeGitHub::edit`](super::FakeGitHub::edit). A scope that was
/// never added answers 404.
#[derive(Debug, Default)]
pub struct Fleet {
    scopes: BTreeMap<Scope, Vec<ObservedRunner>>,
    next_id: u64,
}

impl Fleet {
    fn allocate_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Makes `scope` exist (empty if new); returns whether it was new.
    pub fn add_scope(&mut self, scope: &Scope) -> bool {
        if self.scopes.contains_key(scope) {
            return false;
        }
        self.scopes.insert(scope.clone(), Vec::new());
        true
    }

    /// Removes `scope` and its runners (it then answers 404); returns whether it existed.
    pub fn remove_scope(&mut self, scope: &Scope) -> bool {
        self.scopes.remove(scope).is_some()
    }

    /// Registers `runner` in `scope` (created if needed) under a new id, which is returned. A
    /// runner of the same name is replaced: that is a re-registration.
    pub fn add(&mut self, scope: &Scope, runner: FakeRunner) -> u64 {
        let id = self.allocate_id();
        let runners = self.scopes.entry(scope.clone()).or_default();
        runners.retain(|existing| existing.name != runner.name);
        runners.push(ObservedRunner {
            id,
            name: runner.name,
            os: runner.os,
            status: if runner.online {
                ListedStatus::Online
            } else {
                ListedStatus::Offline
            },
            busy: runner.busy,
            labels: runner.labels,
            ephemeral: runner.ephemeral,
            group_id: runner.group_id,
        });
        id
    }

    /// Registers `count` online idle runners named `{prefix}-00001`, `{prefix}-00002`, ...
    pub fn add_many(&mut self, scope: &Scope, prefix: &str, count: usize) -> Vec<u64> {
        (1..=count)
            .map(|i| self.add(scope, FakeRunner::new(format!("{prefix}-{i:05}"))))
            .collect()
    }

    /// Deregisters runner `name`; returns whether it was there.
    pub fn remove(&mut self, scope: &Scope, name: &str) -> bool {
        let Some(runners) = self.scopes.get_mut(scope) else {
            return false;
        };
        let before = runners.len();
        runners.retain(|runner| runner.name != name);
        runners.len() != before
    }

    /// Re-registers runner `name`: same name and attributes, a new id (so it moves to the end of
    /// the listing). Returns the new id.
    pub fn reregister(&mut self, scope: &Scope, name: &str) -> Option<u64> {
        let id = self.allocate_id();
        let runners = self.scopes.get_mut(scope)?;
        let index = runners.iter().position(|runner| runner.name == name)?;
        let mut runner = runners.remove(index);
        runner.id = id;
        runners.push(runner);
        Some(id)
    }

    fn find(&mut self, scope: &Scope, name: &str) -> Option<&mut ObservedRunner> {
        self.scopes
            .get_mut(scope)?
            .iter_mut()
            .find(|runner| runner.name == name)
    }

    /// Sets runner `name` online or offline; returns whether it exists.
    pub fn set_online(&mut self, scope: &Scope, name: &str, online: bool) -> bool {
        self.find(scope, name)
            .map(|runner| {
                runner.status = if online {
                    ListedStatus::Online
                } else {
                    ListedStatus::Offline
                };
            })
            .is_some()
    }

    /// Sets whether runner `name` is running a job; returns whether it exists.
    pub fn set_busy(&mut self, scope: &Scope, name: &str, busy: bool) -> bool {
        self.find(scope, name)
            .map(|runner| runner.busy = busy)
            .is_some()
    }

    /// Replaces runner `name`'s labels; returns whether it exists.
    pub fn set_labels(&mut self, scope: &Scope, name: &str, labels: Vec<String>) -> bool {
        self.find(scope, name)
            .map(|runner| runner.labels = labels)
            .is_some()
    }

    /// The runners of `scope`, in listing order (`None` for an unknown scope).
    pub fn runners(&self, scope: &Scope) -> Option<&[ObservedRunner]> {
        self.scopes.get(scope).map(Vec::as_slice)
    }

    /// The scopes served.
    pub fn scopes(&self) -> impl Iterator<Item = &Scope> {
        self.scopes.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_remove_reregister_and_flip() {
        let scope = Scope::org("acme");
        let mut fleet = Fleet::default();
        let a = fleet.add(&scope, FakeRunner::new("a"));
        let b = fleet.add(&scope, FakeRunner::new("b").offline().busy(true));
        assert!(a < b);
        let new_a = fleet.reregister(&scope, "a").expect("a exists");
        assert!(new_a > b);
        let names: Vec<_> = fleet
            .runners(&scope)
            .expect("scope")
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["b", "a"],
            "re-registered runner moves to the end (id order)"
        );
        assert!(fleet.set_online(&scope, "b", true));
        assert!(fleet.set_busy(&scope, "b", false));
        assert!(!fleet.set_busy(&scope, "zzz", false));
        assert!(fleet.remove(&scope, "a"));
        assert!(!fleet.remove(&scope, "a"));
        assert_eq!(fleet.runners(&scope).map(<[_]>::len), Some(1));
        assert_eq!(fleet.add_many(&Scope::org("big"), "r", 3).len(), 3);
        assert_eq!(
            fleet.runners(&Scope::org("big")).expect("big")[2].name,
            "r-00003"
        );
        assert!(fleet.runners(&Scope::org("nope")).is_none());
    }
}
