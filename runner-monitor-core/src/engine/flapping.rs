//! Flapping (`flap_count`, `flap_window`, `flap_settle`): a runner that opens `flap_count`
//! outages within `flap_window` is flapping. One `runner_flapping` replaces the opening that made
//! it flap; while it flaps its outages still open and resolve in the store but nobody is told
//! (no opened, resolved or reminder message). Once its health has not changed for
//! `flap_settle` it has settled: healthy (and no outage open) gives one `runner_stable`; down
//! with an outage open gives that outage's `outage_opened`, so its later resolution is told
//! normally.
//!
//! The rule's memory lives on the runner's record (`flap_opens`, `flapping_since`), so it
//! survives restarts and is shared by monitors through the store.

use std::time::Duration;

use super::elapsed;
use crate::model::{Policy, RunnerRecord, Timestamp};

/// What an outage opening of a runner means for its flapping state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Opening {
    /// Not flapping: tell the opening. `opens` is the record's new `flap_opens`.
    Told {
        /// The new `flap_opens` (unchanged when the rule is off).
        opens: Vec<Timestamp>,
    },
    /// This opening makes the runner flap: tell `runner_flapping` instead.
    StartsFlapping {
        /// Outages opened within the window, this one included.
        outages: u32,
    },
    /// Already flapping: record the outage, tell nobody.
    Held,
}

/// Classifies an outage opening of `record` at `now`.
pub(super) fn opening(record: &RunnerRecord, policy: &Policy, now: Timestamp) -> Opening {
    if record.is_flapping() {
        return Opening::Held;
    }
    if policy.flap_count < 2 {
        return Opening::Told {
            opens: record.flap_opens.clone(),
        };
    }
    let mut opens: Vec<Timestamp> = record
        .flap_opens
        .iter()
        .copied()
        .filter(|at| within(*at, now, policy.flap_window))
        .collect();
    let outages = u32::try_from(opens.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    if outages >= policy.flap_count {
        return Opening::StartsFlapping { outages };
    }
    opens.push(now);
    // Only the newest `flap_count - 1` can take part in a future flap.
    let keep = usize::try_from(policy.flap_count - 1).unwrap_or(usize::MAX);
    let extra = opens.len().saturating_sub(keep);
    opens.drain(..extra);
    Opening::Told { opens }
}

/// Whether an opening at `at` still counts at `now` (the window is half-open: `[now - window,
/// now]`; an opening recorded in the future, from a skewed clock, counts).
fn within(at: Timestamp, now: Timestamp, window: Duration) -> bool {
    elapsed(at, now) <= window
}

/// How a flapping runner settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Settled {
    /// Healthy, with no outage open: tell `runner_stable`.
    Healthy,
    /// Unhealthy with an outage open: tell that outage's `outage_opened`.
    Down,
}

/// Whether the flapping runner `record` has settled at `now`: its health unchanged for
/// `flap_settle`, counted from its last health change or from when it started flapping, whichever
/// is later (so a settle notice never follows its flapping notice by less than `flap_settle`).
/// `outage_open` says whether it has an open outage once this cycle's changes apply. A healthy
/// runner whose outage has not yet
/// resolved (`resolve_after` longer than `flap_settle`) and an unhealthy one whose outage has not
/// yet opened keep flapping until both agree, so no message is ever about an untold outage.
pub(super) fn settled(
    record: &RunnerRecord,
    outage_open: bool,
    policy: &Policy,
    now: Timestamp,
) -> Option<Settled> {
    let flapping_since = record.flapping_since?;
    if elapsed(record.since.max(flapping_since), now) < policy.flap_settle {
        return None;
    }
    match (record.is_healthy(), outage_open) {
        (true, false) => Some(Settled::Healthy),
        (false, true) => Some(Settled::Down),
        _ => None,
    }
}
