//! The StatelyDB store from `[store]` with `kind = "stately"`.

use std::sync::Arc;

use runner_monitor_core::Store;

use super::BuildError;
use crate::host::config::StatelyStoreConfig;
use crate::host::secrets::SecretResolver;

/// Connects to StatelyDB.
pub(crate) async fn store(
    config: &StatelyStoreConfig,
    secrets: &SecretResolver,
) -> Result<Arc<dyn Store>, BuildError> {
    let _access_key = secrets
        .resolve_opt("store.access_key", config.access_key.as_ref())
        .await?;
    Err(BuildError::component(
        "store.kind",
        "the StatelyDB store is not available in this build yet; use kind = \"sqlite\"",
    ))
}
