//! Conformance clause for the flapping rule's memory on runner records (part of
//! [`run_all`](super::store::run_all)).

use crate::model::{Change, RunnerStatus, Scope};
use crate::ports::Store;

use super::fixtures::{at, runner_record};
use super::store::{commit_ok, load_ok};

/// A runner's flap state (`flap_opens`, `flapping_since`) round-trips exactly (to the
/// millisecond, the coarsest store's precision) and is cleared by a later write.
pub async fn flap_state_round_trips(store: &dyn Store) {
    let scope = Scope::repo("conformance", "flap-state");
    let mut a = runner_record("a", 1, RunnerStatus::Offline, at(0));
    a.flap_opens = vec![at(60), at(360) + chrono::Duration::milliseconds(123)];
    a.flapping_since = Some(at(700) + chrono::Duration::milliseconds(1));
    let mut b = runner_record("b", 2, RunnerStatus::Idle, at(0));
    b.flap_opens = vec![at(5)];
    let v1 = commit_ok(
        store,
        &scope,
        0,
        &[Change::PutRunner(a.clone()), Change::PutRunner(b.clone())],
    )
    .await;
    let state = load_ok(store, &scope).await;
    assert_eq!(
        state.runners.get("a"),
        Some(&a),
        "flapping runner round trip"
    );
    assert_eq!(state.runners.get("b"), Some(&b), "flap_opens round trip");

    // Settled: the state is cleared.
    let mut settled = a.clone();
    settled.flap_opens.clear();
    settled.flapping_since = None;
    commit_ok(store, &scope, v1, &[Change::PutRunner(settled.clone())]).await;
    let state = load_ok(store, &scope).await;
    assert_eq!(state.runners.get("a"), Some(&settled), "cleared flap state");
    assert_eq!(state.runners.get("b"), Some(&b), "other runner untouched");
}
