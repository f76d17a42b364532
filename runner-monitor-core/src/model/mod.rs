//! The domain: scopes, runners, outages, notifications, policy, per-scope state and the outbox.

mod apply;
mod delivery;
mod failure;
mod message;
mod notification;
mod outage;
mod policy;
mod pool;
mod route;
mod runner;
mod scope;
mod silence;
mod state;

pub use delivery::{Claim, ClaimRequest, Delivery, DeliveryId, Settlement, SinkFilter};
pub use failure::{FailureClass, SourceFailure};
pub use message::{
    CLOSING_KINDS, Message, MessageReceipt, OPENING_KINDS, REFERRING_KINDS, group_basis,
};
pub use notification::{Notification, NotificationKind, RunnerSnapshot, outage_incident_key};
pub use outage::{Acknowledgement, Outage, Resolution};
pub use policy::{Policy, PolicyError, RemovedRunners, SuspectDrop};
pub use pool::{DEFAULT_POOL_FOR, Pool, PoolCount, PoolFloor, PoolMeasure};
pub use route::{NOTIFICATION_KINDS, Route, RouteError};
pub use runner::{ListedStatus, ObservedRunner, RunnerRecord, RunnerStatus};
pub use scope::{Scope, ScopeParseError};
pub use silence::{
    Silence, SilenceError, SilenceSpec, SilenceTarget, SilenceWindow, TargetParseError, Weekly,
    silenced_until,
};
pub use state::{Change, DegradedIncident, ScopeRecord, ScopeState, Version};

/// A point in time (UTC). Nothing below the hosts reads the clock: `now` is always passed in.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A complete listing of a scope's runners, as a [`RunnerSource`](crate::RunnerSource) returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Observation {
    /// Every runner registered in the scope, each name once.
    pub runners: Vec<ObservedRunner>,
}
