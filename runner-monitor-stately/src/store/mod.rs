//! [`StatelyStore`]: the [`Store`] port on StatelyDB.
//!
//! Every scope is one group (`/repo-:repoId`): its Repository item (with the scope's version),
//! runners, outage history, outage counters and outbox. A scope index
//! (`/index-:indexId/scope-:repoId`) lets `scopes` and `pending_deliveries` find the groups with
//! one list.
//!
//! | operation | round trips | writes |
//! |---|---|---|
//! | `load` | 1 list of the group (more pages only for very large groups) | 0 |
//! | `commit` | 1 transaction: list the group, put, commit (3 exchanges) | 1 transaction |
//! | `pending_deliveries` | 1 list of the index, + 1 list per scope with pending deliveries | 0 |
//! | `claim_due` | 1 list of the index, + 1 list per scope with pending deliveries, + 1 transaction (list, put, commit) per scope with a due head | 1 transaction per scope claimed from |
//! | `settle_delivery` | 1 transaction (3 exchanges) | 1 transaction |
//! | `outages` | 1 get + 1 list per GitHub id the runner has had | 0 |
//! | `scopes` | 1 list of the index | 0 |
//! | `outages_between` | 1 list of the group (runners and outages) | 0 |
//! | `put_receipt` | 1 put (or delete, once nothing is open) | 1 |
//! | `receipts_following` | 1 list of the sink's receipts group (only receipts still open) | 0 |
//! | `wake_postponed` | 1 list of the index, + 1 list per scope with pending deliveries, + 1 transaction (list, put, commit) per scope with deliveries to wake | 1 transaction per scope woken in |

mod commit;
mod history;
mod index;
mod load;
mod outbox;
mod receipts;
mod silences;
mod snapshot;
mod writes;

use std::time::Duration;

use async_trait::async_trait;
use runner_monitor_core::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Receipt, Scope, ScopeState, Settlement, Silence, Store, StoreError, Timestamp, Version,
};

use crate::client::StatelyClient;
use crate::config::StatelyConfig;
use crate::error::ClientError;
use crate::layout::GroupMap;

/// runner-monitor's [`Store`] on StatelyDB. Cheap to clone; safe to share between tasks and
/// between processes (optimistic transactions keep concurrent monitors consistent).
///
/// # Examples
/// ```no_run
/// use runner_monitor_stately::{Credentials, StatelyConfig, StatelyStore};
/// # fn demo() -> Result<(), runner_monitor_stately::ClientError> {
/// let key = std::env::var("STATELY_ACCESS_KEY").unwrap_or_default();
/// let config = StatelyConfig::new(1_234_567)
///     .region("us-west-2")
///     .credentials(Credentials::AccessKey(key.into()));
/// let store = StatelyStore::new(&config)?;
/// # let _ = store; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StatelyStore {
    client: StatelyClient,
    index_id: String,
    history_ttl: Duration,
    max_transaction_writes: usize,
    groups: GroupMap,
}

impl StatelyStore {
    /// A store for `config`.
    ///
    /// # Errors
    /// [`ClientError::Config`] for an invalid endpoint, schema version or index id.
    pub fn new(config: &StatelyConfig) -> Result<Self, ClientError> {
        Self::with_client(StatelyClient::new(config)?, config)
    }

    /// A store over an existing client (sharing its connections, token and counters); index id
    /// and history TTL come from `config`.
    ///
    /// # Errors
    /// [`ClientError::Config`] for an empty index id or an unusable `org_groups` entry.
    pub fn with_client(client: StatelyClient, config: &StatelyConfig) -> Result<Self, ClientError> {
        if config.index_id.trim().is_empty() {
            return Err(ClientError::Config("index_id must not be empty".to_owned()));
        }
        let groups = GroupMap {
            layout: config.layout,
            org_groups: config.org_groups.clone(),
        };
        groups.check_scopes(&[])?;
        Ok(StatelyStore {
            client,
            index_id: config.index_id.clone(),
            history_ttl: config.history_ttl,
            max_transaction_writes: config.max_transaction_writes.max(1),
            groups,
        })
    }

    /// Checks that `scopes` (the ones a monitor will watch) can share this store: in the
    /// original layout two scopes must not map to one group (see [`GroupMap::check_scopes`]).
    /// Hosts call it when they build the monitor.
    ///
    /// # Errors
    /// [`ClientError::Config`] naming both scopes and the group.
    pub fn check_scopes(&self, scopes: &[Scope]) -> Result<(), ClientError> {
        self.groups.check_scopes(scopes)
    }

    /// How scopes map to groups.
    pub fn groups(&self) -> &GroupMap {
        &self.groups
    }

    /// The client (for its [`stats`](StatelyClient::stats)).
    pub fn client(&self) -> &StatelyClient {
        &self.client
    }
}

#[async_trait]
impl Store for StatelyStore {
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError> {
        load::load(self, scope).await
    }

    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError> {
        commit::commit(self, scope, expected, changes).await
    }

    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        outbox::pending(self, limit).await
    }

    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError> {
        outbox::claim_due(self, request).await
    }

    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError> {
        outbox::settle(self, id, claim, settlement).await
    }

    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError> {
        history::outages(self, scope, runner, limit).await
    }

    async fn scopes(&self) -> Result<Vec<Scope>, StoreError> {
        index::scopes(self).await
    }

    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        receipts::put(self, receipt).await
    }

    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        receipts::following(self, sink, incident_keys).await
    }

    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        history::between(self, scope, from, to).await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        silences::put(self, silence).await
    }

    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        silences::delete(self, id).await
    }

    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        silences::list(self).await
    }

    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        silences::acknowledge(self, scope, runner, ack).await
    }

    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        outbox::wake_postponed(self, until, now).await
    }
}
