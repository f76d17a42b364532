//! StatelyStore under the emulator's fault injection and auth: retries, conflicts, token refresh.
#![cfg(feature = "emulator")]

mod on_emulator;

use runner_monitor_core::testing::{at, runner_record};
use runner_monitor_core::{Change, RunnerStatus, Scope, Store, StoreError};
use runner_monitor_stately::emulator::{Code, Fault, Method};
use runner_monitor_stately::{Credentials, StatelyStore};
use secrecy::SecretString;

fn put_runner(name: &str) -> Vec<Change> {
    vec![Change::PutRunner(runner_record(
        name,
        1,
        RunnerStatus::Idle,
        at(0),
    ))]
}

#[tokio::test]
async fn unavailable_is_retried_and_then_reported() {
    let (emulator, store) = on_emulator::start().await;
    let scope: Scope = "acme/faults".parse().expect("scope");
    emulator.faults().fail_next(2, Fault::Unavailable);
    store
        .commit(&scope, 0, &put_runner("a"))
        .await
        .expect("third attempt commits");
    emulator
        .faults()
        .fail_next_on(Method::BeginList, 2, Fault::Unavailable);
    let state = store.load(&scope).await.expect("load retried");
    assert_eq!(state.version, 1);

    emulator.faults().fail_next(100, Fault::Unavailable);
    let error = store.load(&scope).await.expect_err("retries are bounded");
    assert!(matches!(error, StoreError::Unavailable { .. }) && error.is_retryable());
    emulator.faults().clear();
}

#[tokio::test]
async fn concurrent_modification_at_commit_is_a_conflict() {
    let (emulator, store) = on_emulator::start().await;
    let scope: Scope = "acme/cm".parse().expect("scope");
    emulator.faults().conflict_next_commits(1);
    let error = store
        .commit(&scope, 0, &put_runner("a"))
        .await
        .expect_err("ConcurrentModification");
    assert!(
        matches!(error, StoreError::Conflict { expected: 0, .. }),
        "{error:?}"
    );
    assert_eq!(
        store.load(&scope).await.expect("load").version,
        0,
        "nothing written"
    );
    store
        .commit(&scope, 0, &put_runner("a"))
        .await
        .expect("a retry wins");
}

#[tokio::test]
async fn non_retryable_store_errors_are_not_retried() {
    let (emulator, store) = on_emulator::start().await;
    let scope: Scope = "acme/denied".parse().expect("scope");
    emulator.faults().fail_next(
        1,
        Fault::code(
            Code::PermissionDenied,
            "PermissionDenied",
            "no access to store",
        ),
    );
    emulator.reset_stats();
    let error = store.load(&scope).await.expect_err("denied");
    assert!(
        matches!(error, StoreError::Unauthorized { .. }),
        "{error:?}"
    );
    assert_eq!(emulator.stats().db_calls(), 1);
}

#[tokio::test]
async fn expired_tokens_are_refreshed_once() {
    let (emulator, _) = on_emulator::start_with(
        on_emulator::builder()
            .access_key("sk-e2e")
            .require_auth(true),
    )
    .await;
    let config = on_emulator::config(&emulator)
        .credentials(Credentials::AccessKey(SecretString::from("sk-e2e")));
    let store = StatelyStore::new(&config).expect("store");
    let scope: Scope = "acme/auth".parse().expect("scope");
    store
        .commit(&scope, 0, &put_runner("a"))
        .await
        .expect("commit");
    assert_eq!(emulator.tokens_issued(), 1);
    emulator.expire_tokens();
    let state = store.load(&scope).await.expect("refreshed after a 401");
    assert_eq!(state.runners.len(), 1);
    assert_eq!(emulator.tokens_issued(), 2);
    assert_eq!(store.client().stats().token_fetches, 2);

    let anonymous = StatelyStore::new(&on_emulator::config(&emulator)).expect("store");
    let error = anonymous.load(&scope).await.expect_err("auth required");
    assert!(
        matches!(error, StoreError::Unauthorized { .. }),
        "{error:?}"
    );
}
