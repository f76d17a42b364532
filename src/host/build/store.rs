//! The store from `[store]`.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::{Scope, Store};
use runner_monitor_memory::MemoryStore;
use runner_monitor_sqlite::SqliteStore;

use super::BuildError;
use crate::host::config::StoreConfig;
use crate::host::secrets::SecretResolver;

/// Opens the configured store. SQLite opening (an integrity check) runs on a blocking thread.
pub(crate) async fn store(
    config: &StoreConfig,
    scopes: &[Scope],
    history_ttl: Duration,
    secrets: &SecretResolver,
) -> Result<Arc<dyn Store>, BuildError> {
    match config {
        StoreConfig::Memory => Ok(Arc::new(MemoryStore::new())),
        StoreConfig::Sqlite { path } => {
            let path = match path {
                Some(path) => path.clone(),
                None => SqliteStore::default_path().ok_or_else(|| {
                    BuildError::component(
                        "store.path",
                        "no default database file: neither RUNNER_MONITOR_DB, XDG_STATE_HOME \
                         nor HOME is set; set store.path",
                    )
                })?,
            };
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(path))
                .await
                .map_err(|error| BuildError::component("store", error))?
                .map_err(|error| BuildError::component("store.path", error))?;
            Ok(Arc::new(store))
        }
        StoreConfig::Stately(stately) => {
            super::stately::store(stately, scopes, history_ttl, secrets).await
        }
    }
}
