//! The StatelyDB store from `[store]` with `kind = "stately"`.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::Store;
use runner_monitor_stately::{Credentials, SCHEMA_VERSION, StatelyConfig, StatelyStore};

use super::BuildError;
use crate::host::config::StatelyStoreConfig;
use crate::host::secrets::SecretResolver;

/// Configures the StatelyDB client (no request is sent until the first cycle). Resolved outages
/// expire after the policy's `history_ttl`.
pub(crate) async fn store(
    config: &StatelyStoreConfig,
    history_ttl: Duration,
    secrets: &SecretResolver,
) -> Result<Arc<dyn Store>, BuildError> {
    let Some(store_id) = config.store_id else {
        return Err(BuildError::component(
            "store.store_id",
            "missing: the StatelyDB store id",
        ));
    };
    let mut stately = StatelyConfig::new(store_id).history_ttl(history_ttl);
    if let Some(region) = &config.region {
        stately = stately.region(region);
    }
    if let Some(endpoint) = &config.endpoint {
        stately = stately.endpoint(endpoint.clone());
    }
    if let Some(schema_id) = config.schema_id {
        stately = stately.schema(schema_id, SCHEMA_VERSION);
    }
    if let Some(index_id) = &config.index_id {
        stately = stately.index_id(index_id.clone());
    }
    if let Some(key) = secrets
        .resolve_opt("store.access_key", config.access_key.as_ref())
        .await?
    {
        stately = stately.credentials(Credentials::AccessKey(key));
    }
    let store =
        StatelyStore::new(&stately).map_err(|error| BuildError::component("store", error))?;
    Ok(Arc::new(store))
}
