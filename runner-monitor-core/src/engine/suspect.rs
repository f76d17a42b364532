//! The suspect-listing rule: a complete listing that lost all or most of the scope's known runners
//! at once is not believed.
//!
//! A token that lost access, a repository whose runners moved to the organization, or a GitHub
//! incident can make GitHub answer 200 with `total_count: 0`. Believing it would open one outage
//! per runner (and resolve them all when the listing returns). So such a listing changes no runner:
//! it is a failed observation of class `suspect_listing` ("monitoring degraded" after
//! `source_alert_after`, like any failure), and the record keeps `suspect_since`. A drop still
//! there `suspect_drop.accept_after` later is accepted: the missing runners are forgotten with one
//! `runners_removed` notification for the scope.

use super::runners::Loss;
use crate::model::{FailureClass, Policy, ScopeState, SourceFailure, Timestamp};

/// The verdict on a listing, given how many known runners it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Believe it.
    Believed,
    /// Do not believe it (yet): a failed observation.
    Suspect(SourceFailure),
    /// The drop has lasted `accept_after`: believe it, and remove the missing known runners.
    Accepted,
}

/// Judges a listing that lacks `loss.lost` of `loss.known` known runners.
pub(super) fn judge(state: &ScopeState, loss: Loss, policy: &Policy, now: Timestamp) -> Verdict {
    let rule = &policy.suspect_drop;
    if !rule.is_suspect(loss.known, loss.lost) {
        return Verdict::Believed;
    }
    // A zero `accept_after` accepts at once: waiting for a second cycle at the same instant
    // would report the removal on a replan that observed nothing new.
    let accepted = rule.accept_after.is_zero()
        || state
            .record
            .suspect_since
            .is_some_and(|since| super::elapsed(since, now) >= rule.accept_after);
    if accepted {
        return Verdict::Accepted;
    }
    Verdict::Suspect(SourceFailure {
        class: FailureClass::SuspectListing,
        message: format!(
            "GitHub listed {} of {} known runners of {}; the token may have lost access to them",
            loss.known - loss.lost,
            loss.known,
            state.scope
        ),
    })
}
