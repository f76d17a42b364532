//! The delivery outbox: [`Delivery`] rows and how they are [`Settlement`]s.

use serde::{Deserialize, Serialize};

use super::{Notification, Scope, Timestamp};

/// A delivery's id: its scope and a sequence number the store assigns, increasing in enqueue order
/// within the scope (scopes are partitions: no counter is shared between them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeliveryId {
    /// The scope whose commit enqueued it.
    pub scope: Scope,
    /// Increasing in enqueue order within the scope, from 1.
    pub seq: u64,
}

impl std::fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.scope, self.seq)
    }
}

/// One notification to one sink, waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Scope and sequence number.
    pub id: DeliveryId,
    /// The sink's configured name.
    pub sink: String,
    /// What to deliver.
    pub notification: Notification,
    /// When it was enqueued (the notification's `at`).
    pub created_at: Timestamp,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be sent before this time.
    pub next_attempt_at: Timestamp,
    /// The last failure, for logs and status.
    pub last_error: Option<String>,
}

/// What became of a delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Settlement {
    /// Sent; the delivery leaves the pending set.
    Delivered {
        /// When.
        at: Timestamp,
    },
    /// Failed, try again; counts an attempt.
    Retry {
        /// When it failed.
        at: Timestamp,
        /// Not before this time.
        next_attempt_at: Timestamp,
        /// Why (free of secrets).
        error: String,
    },
    /// Given up (permanent failure or past `delivery_ttl`); leaves the pending set.
    Abandoned {
        /// When.
        at: Timestamp,
        /// Why (free of secrets).
        reason: String,
    },
}
