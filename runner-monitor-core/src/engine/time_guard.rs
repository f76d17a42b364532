//! Time guards: an observation is believed only if its time fits what the scope recorded.
//!
//! - **Stale**: an observation older than [`ScopeRecord::recorded_at`] (the heartbeat or the start
//!   of the current failures) changes nothing. A monitor that lost a commit race replans with its
//!   older listing and finds nothing to do; a monitor whose clock stepped back waits until its
//!   clock passes what was recorded.
//! - **Clock jump**: an observation more than `clock_jump` past the recorded time is believed only
//!   when a second observation, later than the first, confirms the new time. The first only
//!   records `clock_jump_at`, so a clock that jumps far into the future for one cycle does not
//!   expire history, forget runners or raise incidents in one step, and does not move the recorded
//!   time (which would make every later observation stale). A real gap (a monitor stopped for a
//!   day) costs one cycle.
//!
//! [`ScopeRecord::recorded_at`]: crate::ScopeRecord::recorded_at

use super::{Hold, Plan};
use crate::model::{Change, Policy, ScopeState, Timestamp};

/// Whether the observation at `now` may change the state; if not, plans what the hold writes.
///
/// Returns `true` when reconciliation may go on.
pub(super) fn admit(state: &ScopeState, policy: &Policy, now: Timestamp, plan: &mut Plan) -> bool {
    let record = &state.record;
    let Some(recorded) = record.recorded_at() else {
        return true;
    };
    if now < recorded {
        plan.hold = Some(Hold::Stale { recorded });
        return false;
    }
    let jump = chrono::Duration::from_std(policy.clock_jump)
        .ok()
        .and_then(|limit| recorded.checked_add_signed(limit))
        .is_some_and(|limit| now > limit);
    if !jump {
        return true;
    }
    match record.clock_jump_at {
        // Confirmed by an earlier observation of the new time (replanning the same observation
        // is no second observation).
        Some(first) if now > first => return true,
        Some(first) if now == first => {}
        _ => {
            let mut held = record.clone();
            held.clock_jump_at = Some(now);
            plan.changes.push(Change::PutScope(held));
        }
    }
    plan.hold = Some(Hold::ClockJump { recorded });
    false
}
