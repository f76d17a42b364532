//! Removed runners (`removed_runners`): GitHub keeps a crashed runner listed as offline, so a
//! non-ephemeral runner that complete listings stop showing was deregistered on purpose. Under
//! [`RemovedRunners::Notice`] it is forgotten with one notice per scope and cycle instead of an
//! outage that pages for `forget_after`.

use crate::model::{Outage, Policy, RemovedRunners, RunnerRecord, RunnerStatus, Timestamp};

/// Whether the absent runner `previous` (as stored before this listing) is deregistered now.
///
/// It must have been missing from the previous complete listing too (stored UNKNOWN), so one
/// listing that briefly lacks a runner removes nothing; it must not be ephemeral (those are
/// forgotten silently) and must have no open outage (an outage already open when the runner
/// disappears stays open until `forget_after`). `last_success_at` is the scope's previous
/// successful observation: a replan at that same instant is not a second listing.
pub(super) fn is_deregistered(
    previous: &RunnerRecord,
    open: Option<&Outage>,
    policy: &Policy,
    last_success_at: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    notice_applies(previous, open, policy)
        && previous.status == RunnerStatus::Unknown
        && last_success_at.is_some_and(|at| at < now)
}

/// Whether absence of `previous` is handled as a removal notice rather than by the outage rules:
/// while this holds, an absent runner never opens an outage.
pub(super) fn notice_applies(
    previous: &RunnerRecord,
    open: Option<&Outage>,
    policy: &Policy,
) -> bool {
    policy.removed_runners == RemovedRunners::Notice && !previous.ephemeral && open.is_none()
}
