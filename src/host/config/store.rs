//! `[store]`: where state, outage history and the delivery outbox live.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::SecretRef;
use super::serde_helpers;

/// `[store]`, chosen by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    /// `kind = "sqlite"` (default): one durable SQLite file.
    Sqlite {
        /// The database file. Default `$RUNNER_MONITOR_DB`, else
        /// `$XDG_STATE_HOME/runner-monitor/state.db`, else
        /// `~/.local/state/runner-monitor/state.db`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<PathBuf>,
    },
    /// `kind = "memory"`: in process, forgotten on exit (tests, `--once` experiments).
    Memory,
    /// `kind = "stately"`: StatelyDB, shareable with the original TypeScript monitor.
    Stately(StatelyStoreConfig),
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig::Sqlite { path: None }
    }
}

/// `[store]` with `kind = "stately"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatelyStoreConfig {
    /// The store id (SSM `/github-runner-monitor/statelydb-store-id` in the Lambda).
    #[serde(
        default,
        deserialize_with = "serde_helpers::number_or_string::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub store_id: Option<u64>,
    /// The region, e.g. `us-west-2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// An explicit endpoint (overrides `region`), e.g. a local emulator `http://127.0.0.1:PORT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The access key. Absent: no authentication (a local emulator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<SecretRef>,
    /// The schema id. Default the original monitor's.
    #[serde(
        default,
        deserialize_with = "serde_helpers::number_or_string::option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_id: Option<u64>,
    /// Name of the scope index; monitors sharing a store and an index see each other's scopes.
    /// Default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_id: Option<String>,
    /// Which group holds a scope: `v3` (default; `/repo-owner%/name`) or `original` (the
    /// TypeScript monitor's `/repo-<name>`, to take over its store in place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<StatelyLayout>,
    /// `layout = "original"` only: organization -> the repository name whose group holds its
    /// runners, e.g. `{ acme = "api" }` (the original stored org runners in each repository's
    /// group). Unmapped organizations get their own group.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub org_groups: BTreeMap<String, String>,
}

/// `[store] layout` for `kind = "stately"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatelyLayout {
    /// Every scope its own group keyed by its canonical id.
    #[default]
    V3,
    /// The original monitor's: groups keyed by repository name only.
    Original,
}

impl StoreConfig {
    /// `sqlite`, `memory` or `stately`.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreConfig::Sqlite { .. } => "sqlite",
            StoreConfig::Memory => "memory",
            StoreConfig::Stately(_) => "stately",
        }
    }
}
