//! The original layout on the emulator: a repository scope lives in `/repo-<name>` (nothing in
//! this project's `/repo-owner%/name`), and two scopes that would share a group are refused,
//! by configuration check and at run time, with an error naming both.
#![cfg(feature = "emulator")]

mod on_emulator;

use runner_monitor_core::testing::{at, outage, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, Store};
use runner_monitor_stately::{Layout, StatelyStore};

fn original(emulator: &runner_monitor_stately::emulator::Emulator) -> StatelyStore {
    let config = on_emulator::config(emulator).layout(Layout::Original);
    StatelyStore::new(&config).expect("store")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_scope_is_keyed_by_its_name_only() {
    let (emulator, _) = on_emulator::start().await;
    let store = original(&emulator);
    let scope: Scope = "acme/api".parse().expect("scope");
    let mut first = outage("r1", 1, at(0));
    first.runner_id = 7;
    store
        .commit(
            &scope,
            0,
            &[
                Change::PutRunner(runner_record("r1", 7, RunnerStatus::Offline, at(0))),
                Change::OpenOutage(first),
            ],
        )
        .await
        .expect("commit");
    let keys = emulator.key_paths();
    assert!(keys.iter().any(|k| k == "/repo-api"), "{keys:?}");
    assert!(keys.iter().any(|k| k == "/repo-api/runner-r1"), "{keys:?}");
    assert!(
        keys.iter().any(|k| k == "/repo-api/history-7/outage-1"),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k.starts_with("/repo-acme")),
        "{keys:?}"
    );
    let state = store.load(&scope).await.expect("load");
    assert_eq!((state.version, state.open_outages["r1"].id), (1, 1));
    assert_eq!(store.scopes().await.expect("scopes"), [scope]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_repositories_of_one_name_are_refused_naming_both() {
    let (emulator, _) = on_emulator::start().await;
    let store = original(&emulator);
    let (ours, theirs): (Scope, Scope) = (
        "acme/api".parse().expect("a"),
        "other/api".parse().expect("b"),
    );

    let error = store
        .check_scopes(&[ours.clone(), theirs.clone()])
        .expect_err("one group for two scopes")
        .to_string();
    assert!(
        error.contains("acme/api") && error.contains("other/api") && error.contains("/repo-api"),
        "{error}"
    );

    // At run time too: a monitor configured with only `other/api` must not take over acme's group.
    store
        .commit(
            &ours,
            0,
            &[Change::PutRunner(runner_record(
                "r1",
                7,
                RunnerStatus::Idle,
                at(0),
            ))],
        )
        .await
        .expect("acme/api commits");
    let writes = emulator.stats().writes();
    let load = store.load(&theirs).await.expect_err("refused").to_string();
    assert!(
        load.contains("other/api") && load.contains("acme/api"),
        "{load}"
    );
    let commit = store
        .commit(
            &theirs,
            0,
            &[Change::PutRunner(runner_record(
                "r2",
                8,
                RunnerStatus::Idle,
                at(0),
            ))],
        )
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        commit.contains("other/api") && commit.contains("acme/api"),
        "{commit}"
    );
    assert_eq!(
        emulator.stats().writes(),
        writes,
        "nothing written for other/api"
    );

    // An organization mapped onto a watched repository's group is refused the same way.
    let mapped = on_emulator::config(&emulator)
        .layout(Layout::Original)
        .org_group("acme", "api");
    let mapped = StatelyStore::new(&mapped).expect("store");
    let org: Scope = "org:acme".parse().expect("org");
    let error = mapped
        .check_scopes(&[ours.clone(), org.clone()])
        .expect_err("shared")
        .to_string();
    assert!(
        error.contains("acme/api") && error.contains("org:acme"),
        "{error}"
    );
    let load = mapped
        .load(&org)
        .await
        .expect_err("the group is acme/api's")
        .to_string();
    assert!(
        load.contains("org:acme") && load.contains("acme/api"),
        "{load}"
    );

    // The v3 layout keeps them apart.
    let v3 = StatelyStore::new(&on_emulator::config(&emulator)).expect("v3");
    v3.check_scopes(&[ours, theirs])
        .expect("distinct groups in v3");
}
