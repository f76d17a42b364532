//! Fault injection, auth and lifecycle of the emulator.
#![allow(clippy::unwrap_used)]

mod emulator_client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use emulator_client::*;
use runner_monitor_stately_emulator::{Code, Emulator, Fault, ManualClock, Method};

#[tokio::test]
async fn injected_failures_hit_the_next_calls_then_stop() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    emu.faults()
        .fail_next_on(Method::Put, 2, Fault::Unavailable);
    for _ in 0..2 {
        let err = c.put(vec![runner("r", "a")]).await.unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str(), err.stately_code.as_str()),
            (503, "unavailable", "Unavailable")
        );
    }
    assert!(
        c.get(&["/repo-r/runner-a"]).await.unwrap().is_empty(),
        "other methods are unaffected and nothing was written"
    );
    c.put(vec![runner("r", "a")]).await.unwrap();

    emu.faults().fail_next(
        1,
        Fault::code(
            Code::ResourceExhausted,
            "StoreThroughputExceeded",
            "slow down",
        ),
    );
    let err = c.begin_list("/repo-r", 0, false).await.unwrap_err();
    assert_eq!(
        (err.status, err.code.as_str(), err.stately_code.as_str()),
        (200, "resource_exhausted", "StoreThroughputExceeded")
    );

    emu.faults().fail_next_on(
        Method::Get,
        1,
        Fault::RawHttp {
            status: 502,
            body: "bad gateway".into(),
        },
    );
    let err = c.get(&["/repo-r/runner-a"]).await.unwrap_err();
    assert_eq!((err.status, err.message.as_str()), (502, "bad gateway"));

    let s = emu.stats();
    assert_eq!(
        (
            s.calls(Method::Put),
            s.calls(Method::Get),
            s.calls(Method::BeginList),
            s.faults,
            s.items_put
        ),
        (3, 2, 1, 4, 1)
    );
    assert_eq!(s.round_trips(), 6);
    emu.reset_stats();
    assert_eq!(emu.stats().db_calls(), 0);
}

#[tokio::test]
async fn transactions_can_be_failed_or_forced_to_conflict() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    emu.faults()
        .fail_next_on(Method::Transaction, 1, Fault::Unavailable);
    let mut t = c.begin_txn().await;
    t.send(Cmd::Get(vec!["/repo-r".into()])).await;
    assert_eq!(t.recv().await.unwrap_err().code, "unavailable");

    emu.faults().conflict_next_commits(1);
    let mut t = c.begin_txn().await;
    t.put(vec![runner("r", "a")]).await.unwrap();
    assert_eq!(
        t.commit().await.unwrap_err().stately_code,
        "ConcurrentModification"
    );
    assert!(emu.key_paths().is_empty());
    let mut t = c.begin_txn().await;
    t.put(vec![runner("r", "a")]).await.unwrap();
    assert!(
        t.commit().await.unwrap().committed,
        "only the next commit is forced to fail"
    );
    assert_eq!((emu.stats().conflicts, emu.stats().commits), (1, 1));
}

#[tokio::test]
async fn latency_delays_calls() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    emu.faults()
        .set_latency_on(Method::Get, Duration::from_millis(150));
    let start = Instant::now();
    c.get(&["/repo-r"]).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(150));
    emu.faults().clear();
}

#[tokio::test]
async fn auth_issues_tokens_and_rejects_missing_unknown_or_expired_ones() {
    let clock = ManualClock::default();
    let emu = Emulator::builder()
        .access_key("key-1")
        .require_auth(true)
        .token_ttl(Duration::from_secs(60))
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let mut c = Client::new(&emu);
    let err = c.get(&["/repo-r"]).await.unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (401, "unauthenticated"));

    let bad: Result<AuthResponse, _> = c
        .unary(
            "stately.auth.AuthService/GetAuthToken",
            &AuthRequest {
                access_key: "wrong".into(),
            },
        )
        .await;
    assert_eq!(bad.unwrap_err().status, 401);
    let tok: AuthResponse = c
        .unary(
            "stately.auth.AuthService/GetAuthToken",
            &AuthRequest {
                access_key: "key-1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(tok.expires_in_s, 60);
    c.token = Some(tok.auth_token.clone());
    c.get(&["/repo-r"]).await.unwrap();
    let mut t = c.begin_txn().await;
    t.get(&["/repo-r"]).await.unwrap();
    t.abort().await.unwrap();

    clock.advance(Duration::from_secs(61));
    assert_eq!(c.get(&["/repo-r"]).await.unwrap_err().status, 401);
    let tok: AuthResponse = c
        .unary(
            "stately.auth.AuthService/GetAuthToken",
            &AuthRequest {
                access_key: "key-1".into(),
            },
        )
        .await
        .unwrap();
    c.token = Some(tok.auth_token);
    c.get(&["/repo-r"]).await.unwrap();
    emu.expire_tokens();
    assert_eq!(
        c.get(&["/repo-r"]).await.unwrap_err().code,
        "unauthenticated"
    );
    let mut t = c.begin_txn().await;
    t.send(Cmd::Get(vec!["/repo-r".into()])).await;
    assert_eq!(t.recv().await.unwrap_err().code, "unauthenticated");
    c.token = Some("made-up".into());
    assert_eq!(c.get(&["/repo-r"]).await.unwrap_err().status, 401);
    assert_eq!(emu.tokens_issued(), 2);
    assert!(
        !format!("{emu:?}").contains("key-1"),
        "access keys stay out of Debug"
    );
}

#[tokio::test]
async fn shutdown_closes_the_port_and_direct_access_works() {
    let emu = Emulator::start().await.unwrap();
    let key = emu.insert("Runner", &runner("o/r", "a").proto).unwrap();
    assert_eq!(key, "/repo-o%/r/runner-a");
    let view = emu.item(&key).unwrap();
    assert_eq!(view.item_type, "Runner");
    assert!(emu.insert("Runner", &[0xff]).is_err());
    let c = Client::new(&emu);
    assert_eq!(c.get(&[key.as_str()]).await.unwrap().len(), 1);
    assert_eq!(
        emu.stats().calls(Method::Put),
        0,
        "direct inserts are not counted"
    );
    let addr = emu.addr();
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn without_configured_keys_any_key_gets_a_token_and_auth_is_off() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let tok: AuthResponse = c
        .unary(
            "stately.auth.AuthService/GetAuthToken",
            &AuthRequest {
                access_key: "anything".into(),
            },
        )
        .await
        .unwrap();
    assert!(!tok.auth_token.is_empty());
    assert_eq!(tok.expires_in_s, 3600);
    c.get(&["/repo-r"]).await.unwrap();
    assert_eq!(emu.stats().calls(Method::GetAuthToken), 1);
}
