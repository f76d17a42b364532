//! The delivery outbox: [`Delivery`] rows, the [`Claim`] a dispatcher holds on one while sending
//! it, what a dispatcher asks for ([`ClaimRequest`]) and how a delivery is [`Settlement`]ed.

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

/// A lease on one delivery: `holder` may send it until `until`; after that another dispatcher may
/// take it over. The pair is the fencing token a settlement must present.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Claim {
    /// Who holds it (a dispatcher's id, unique per monitor instance).
    pub holder: String,
    /// When the lease expires. Stores may keep less precision than a [`Timestamp`] (StatelyDB
    /// keeps milliseconds): the claim a store returns is the one to settle with.
    pub until: Timestamp,
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
    /// The current (or last, possibly expired) claim on it, if any.
    #[serde(default)]
    pub claim: Option<Claim>,
}

impl Delivery {
    /// The queue it waits in: deliveries of one scope, one sink and one subject (a runner, or the
    /// scope itself) go out strictly in sequence order.
    pub fn queue(&self) -> (&Scope, &str, String) {
        (
            &self.id.scope,
            self.sink.as_str(),
            self.notification.subject(),
        )
    }

    /// Whether it is held by a claim that has not expired at `now`.
    pub fn is_claimed_at(&self, now: Timestamp) -> bool {
        self.claim.as_ref().is_some_and(|c| c.until > now)
    }

    /// Whether it is due at `now` and not held by a live claim (a head of its queue aside).
    pub fn is_claimable_at(&self, now: Timestamp) -> bool {
        self.next_attempt_at <= now && !self.is_claimed_at(now)
    }
}

/// Which sinks a [`ClaimRequest`] is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinkFilter {
    /// Only deliveries to these sinks (the ones this monitor has).
    Only(Vec<String>),
    /// Every sink except these (the sweep for sinks this monitor lacks).
    Except(Vec<String>),
}

impl SinkFilter {
    /// Whether `sink` passes the filter.
    pub fn matches(&self, sink: &str) -> bool {
        match self {
            SinkFilter::Only(names) => names.iter().any(|n| n == sink),
            SinkFilter::Except(names) => !names.iter().any(|n| n == sink),
        }
    }
}

/// What a dispatcher asks the outbox for: claim the due heads of their queues.
///
/// A delivery is returned (and claimed by `holder` until `until`) when it is pending, due
/// (`next_attempt_at <= now`), not held by a live claim (none, or one whose `until <= now`), its
/// sink passes `sinks`, it was created before `created_before` (when set), and no earlier
/// delivery of its queue ([`Delivery::queue`]) is still pending, whether due or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRequest {
    /// Who claims.
    pub holder: String,
    /// The dispatcher's `now`.
    pub now: Timestamp,
    /// The lease's expiry (after `now`).
    pub until: Timestamp,
    /// Which sinks.
    pub sinks: SinkFilter,
    /// Only deliveries created strictly before this time (`None`: any).
    pub created_before: Option<Timestamp>,
    /// At most this many.
    pub limit: usize,
}

impl ClaimRequest {
    /// The claim each returned delivery carries.
    pub fn claim(&self) -> Claim {
        Claim {
            holder: self.holder.clone(),
            until: self.until,
        }
    }

    /// Whether `delivery` passes every condition but being the head of its queue.
    pub fn admits(&self, delivery: &Delivery) -> bool {
        delivery.is_claimable_at(self.now)
            && self.sinks.matches(&delivery.sink)
            && self.created_before.is_none_or(|t| delivery.created_at < t)
    }
}

/// What became of a claimed delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Settlement {
    /// Sent; the delivery leaves the pending set.
    Delivered {
        /// When.
        at: Timestamp,
    },
    /// Failed, try again; counts an attempt and drops the claim.
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
    /// Held back by a silence: due again at `until`; counts no attempt and keeps the last
    /// error, so it neither backs off nor nears abandonment.
    Postponed {
        /// When.
        at: Timestamp,
        /// Not before this time (the silence's end).
        until: Timestamp,
    },
    /// Not attempted (the dispatch ran out of time, or the sink asked to wait): the claim is
    /// dropped and nothing else changes, so any dispatcher may claim it again at once.
    Released {
        /// When.
        at: Timestamp,
    },
}
