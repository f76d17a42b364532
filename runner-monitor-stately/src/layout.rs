//! [`Layout`]: which StatelyDB group (`/repo-:repoId`) holds a scope, and the `repoId` every item
//! of the scope carries.
//!
//! | scope | `v3` (default) | `original` |
//! |---|---|---|
//! | `owner/name` | `owner/name` (`/repo-owner%/name`) | `name` (`/repo-name`), as the original's `src/probe.ts` |
//! | `org:acme` | `org:acme` | the repository name given in `org_groups` (where the original stored the org's runners), else `org:acme` |
//! | `enterprise:slug` | `enterprise:slug` | `enterprise:slug` |
//!
//! The original keyed groups by repository name only, so in the original layout two scopes can
//! meet in one group: [`GroupMap::check_scopes`] refuses such a configuration, and every load
//! and commit refuses a group whose `Repository` item belongs to another scope.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use runner_monitor_core::Scope;

use crate::error::ClientError;
use crate::items::Repository;
use crate::keys;

/// How scopes map to groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Every scope its own group, keyed by its canonical id (`owner/name`, `org:acme`).
    #[default]
    V3,
    /// The original TypeScript monitor's: a repository's group is keyed by its name only, and
    /// an organization's runners live in a repository's group (`org_groups`).
    Original,
}

impl Layout {
    /// `v3` or `original`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::V3 => "v3",
            Layout::Original => "original",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Layout {
    type Err = ClientError;

    /// # Errors
    /// [`ClientError::Config`] for anything but `v3` or `original`.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_stately::Layout;
    /// assert_eq!("original".parse::<Layout>().unwrap(), Layout::Original);
    /// assert!("v2".parse::<Layout>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "v3" => Ok(Layout::V3),
            "original" => Ok(Layout::Original),
            other => Err(ClientError::Config(format!(
                "layout `{other}`: expected `v3` or `original`"
            ))),
        }
    }
}

/// The layout with its organization groups: scope -> `repoId`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMap {
    /// The layout.
    pub layout: Layout,
    /// Original layout only: organization -> the repository name whose group holds its runners.
    pub org_groups: BTreeMap<String, String>,
}

impl GroupMap {
    /// The `repoId` of `scope`'s group (its items' `repoId` field; the group is `/repo-:repoId`).
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_stately::{GroupMap, Layout};
    /// let mut map = GroupMap { layout: Layout::Original, ..GroupMap::default() };
    /// map.org_groups.insert("acme".into(), "ci".into());
    /// assert_eq!(map.repo_id(&"acme/api".parse().unwrap()), "api");
    /// assert_eq!(map.repo_id(&"org:acme".parse().unwrap()), "ci");
    /// assert_eq!(map.repo_id(&"org:other".parse().unwrap()), "org:other");
    /// assert_eq!(GroupMap::default().repo_id(&"acme/api".parse().unwrap()), "acme/api");
    /// ```
    pub fn repo_id(&self, scope: &Scope) -> String {
        match (self.layout, scope) {
            (Layout::Original, Scope::Repo { name, .. }) => name.clone(),
            (Layout::Original, Scope::Org(org)) => self
                .org_groups
                .get(org)
                .cloned()
                .unwrap_or_else(|| scope.to_string()),
            _ => scope.to_string(),
        }
    }

    /// Checks that no two of `scopes` share a group, and that `org_groups` is usable.
    ///
    /// # Errors
    /// [`ClientError::Config`] naming both scopes and the group they would share (in the original
    /// layout `a/foo` and `b/foo` both live in `/repo-foo`; an organization mapped onto a
    /// repository that is also watched shares its group), or for an empty `org_groups` entry.
    ///
    /// # Examples
    /// ```
    /// use runner_monitor_stately::{GroupMap, Layout};
    /// let map = GroupMap { layout: Layout::Original, ..GroupMap::default() };
    /// let scopes = ["a/foo".parse().unwrap(), "b/foo".parse().unwrap()];
    /// let error = map.check_scopes(&scopes).unwrap_err().to_string();
    /// assert!(error.contains("a/foo") && error.contains("b/foo") && error.contains("/repo-foo"));
    /// assert!(GroupMap::default().check_scopes(&scopes).is_ok());
    /// ```
    pub fn check_scopes(&self, scopes: &[Scope]) -> Result<(), ClientError> {
        for (org, group) in &self.org_groups {
            if org.trim().is_empty() || group.trim().is_empty() || group.contains('/') {
                return Err(ClientError::Config(format!(
                    "org_groups: `{org}` = `{group}`: expected an organization and a repository name"
                )));
            }
        }
        let mut seen: BTreeMap<String, &Scope> = BTreeMap::new();
        for scope in scopes {
            let repo_id = self.repo_id(scope);
            match seen.get(&repo_id) {
                Some(first) if *first != scope => {
                    return Err(ClientError::Config(format!(
                        "scopes `{first}` and `{scope}` would share the StatelyDB group `{}` in the \
                         {} layout (the original monitor keys groups by repository name only): \
                         watch only one of them, or use layout = \"v3\"",
                        keys::repo(&repo_id),
                        self.layout
                    )));
                }
                _ => {
                    seen.insert(repo_id, scope);
                }
            }
        }
        Ok(())
    }

    /// Checks that a group's stored `Repository` item belongs to `scope`: in the original layout
    /// another owner's repository of the same name (written by the original or by another
    /// monitor) must not be taken over.
    ///
    /// # Errors
    /// [`ClientError::Config`] naming both scopes.
    pub(crate) fn check_owner(
        &self,
        scope: &Scope,
        stored: Option<&Repository>,
    ) -> Result<(), ClientError> {
        let Some(stored) = stored else {
            return Ok(());
        };
        if self.layout != Layout::Original {
            return Ok(());
        }
        let other = match scope {
            // Our org scope took this group over.
            Scope::Repo { .. } if stored.scope_kind == "org" => {
                Some(format!("org:{}", stored.owner))
            }
            Scope::Repo { owner, .. }
                if !stored.owner.is_empty() && !stored.owner.eq_ignore_ascii_case(owner) =>
            {
                Some(format!("{}/{}", stored.owner, stored.name))
            }
            // The original stored org runners in any configured repository's group, whatever its
            // owner; only a group a repository scope (or another org) of ours took is refused.
            Scope::Org(_) if stored.scope_kind == "repo" => {
                Some(format!("{}/{}", stored.owner, stored.name))
            }
            Scope::Org(org)
                if stored.scope_kind == "org" && !stored.owner.eq_ignore_ascii_case(org) =>
            {
                Some(format!("org:{}", stored.owner))
            }
            _ => None,
        };
        match other {
            Some(other) => Err(ClientError::Config(format!(
                "scope `{scope}` maps to the StatelyDB group `{}` in the original layout, but that \
                 group belongs to `{other}`; refusing to mix their runners",
                keys::repo(&self.repo_id(scope))
            ))),
            None => Ok(()),
        }
    }
}
