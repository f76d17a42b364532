//! The StatelyDB store from `[store]` with `kind = "stately"`.

use std::sync::Arc;
use std::time::Duration;

use runner_monitor_core::{Scope, Store};
use runner_monitor_stately::{Credentials, Layout, SCHEMA_VERSION, StatelyConfig, StatelyStore};

use super::BuildError;
use crate::host::config::{StatelyLayout, StatelyStoreConfig};
use crate::host::secrets::SecretResolver;

/// Configures the StatelyDB client (no request is sent until the first cycle). Resolved outages
/// expire after the policy's `history_ttl`. In the original layout, `scopes` that would share a
/// group are refused (`store.layout`, naming both).
pub(crate) async fn store(
    config: &StatelyStoreConfig,
    scopes: &[Scope],
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
    if config.layout.unwrap_or_default() == StatelyLayout::Original {
        stately = stately.layout(Layout::Original);
    }
    for (org, repo) in &config.org_groups {
        stately = stately.org_group(org.clone(), repo.clone());
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
    store
        .check_scopes(scopes)
        .map_err(|error| BuildError::component("store.layout", error))?;
    Ok(Arc::new(store))
}
