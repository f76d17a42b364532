//! The emulator's bidirectional Transaction over h2c: streamed answers, snapshot reads, commit,
//! abort, generated ids, and ConcurrentModification.
#![allow(clippy::unwrap_used)]

mod emulator_client;

use emulator_client::*;
use runner_monitor_stately_emulator::Emulator;

#[tokio::test]
async fn answers_arrive_while_the_request_is_still_streaming_and_commit_applies_atomically() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    c.put(vec![runner("r", "a"), runner("r", "gone")])
        .await
        .unwrap();

    let mut t = c.begin_txn().await;
    // each answer is awaited before the next message is written: the body is still open
    let got = t
        .get(&["/repo-r/runner-a", "/repo-r/runner-zzz"])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    let (listed, token) = t.list("/repo-r/runner-", 0).await.unwrap();
    assert_eq!((listed.len(), token.can_continue), (2, false));
    let ids = t
        .put(vec![outage("r", 4, 0), outage("r", 4, 0), runner("r", "b")])
        .await
        .unwrap();
    assert_eq!(ids, vec![Some(1), Some(2), None]);
    t.delete(&["/repo-r/runner-gone"]).await;
    // nothing is visible outside before commit
    assert!(c.get(&["/repo-r/runner-b"]).await.unwrap().is_empty());
    let f = t.commit().await.unwrap();
    assert!(f.committed);
    assert_eq!(f.put_results.len(), 3);
    assert_eq!(decode::<Outage>(&f.put_results[1]).outage_id, 2);
    assert_eq!(f.delete_results[0].key_path, "/repo-r/runner-gone");
    assert_eq!(
        emu.key_paths(),
        vec![
            "/repo-r/history-4/outage-1",
            "/repo-r/history-4/outage-2",
            "/repo-r/runner-a",
            "/repo-r/runner-b"
        ]
    );
    let s = emu.stats();
    assert_eq!(
        (
            s.commits,
            s.txn_gets,
            s.txn_lists,
            s.txn_puts,
            s.txn_deletes,
            s.items_put
        ),
        (1, 1, 1, 1, 1, 5)
    );
    // Put, Get, Transaction calls + (get, list, put, commit answered - the first)
    assert_eq!((s.db_calls(), s.round_trips()), (3, 6));
}

#[tokio::test]
async fn reads_see_the_snapshot_at_begin() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let mut r = Runner {
        runner_id: 7,
        status: 1,
        repo_id: "r".into(),
        name: "a".into(),
        os: "old".into(),
        ..Default::default()
    };
    c.put(vec![item("Runner", &r)]).await.unwrap();
    let mut t = c.begin_txn().await;
    t.get(&["/repo-r/runner-zzz"]).await.unwrap(); // begin has been processed
    r.os = "new".into();
    c.put(vec![item("Runner", &r), runner("r", "b")])
        .await
        .unwrap();
    let got: Runner = decode(&t.get(&["/repo-r/runner-a"]).await.unwrap()[0]);
    assert_eq!(got.os, "old");
    let (listed, _) = t.list("/repo-r", 0).await.unwrap();
    assert_eq!(listed.len(), 1, "items written after begin are not listed");
    t.abort().await.unwrap();
}

#[tokio::test]
async fn racing_transactions_on_one_item_conflict() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    c.put(vec![runner("r", "a")]).await.unwrap();

    let mut t1 = c.begin_txn().await;
    let mut t2 = c.begin_txn().await;
    assert_eq!(t1.get(&["/repo-r/runner-a"]).await.unwrap().len(), 1);
    assert_eq!(t2.get(&["/repo-r/runner-a"]).await.unwrap().len(), 1);
    t2.put(vec![runner("r", "a")]).await.unwrap();
    assert!(t2.commit().await.unwrap().committed);
    t1.put(vec![runner("r", "a"), runner("r", "c")])
        .await
        .unwrap();
    let err = t1.commit().await.unwrap_err();
    assert_eq!(
        (
            err.status,
            err.code.as_str(),
            err.stately_code.as_str(),
            err.details_code
        ),
        (200, "aborted", "ConcurrentModification", 10)
    );
    assert!(
        c.get(&["/repo-r/runner-c"]).await.unwrap().is_empty(),
        "a refused commit writes nothing"
    );
    assert_eq!(emu.stats().conflicts, 1);
}

#[tokio::test]
async fn a_listed_prefix_conflicts_with_inserts_and_blind_writes_do_not() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    c.put(vec![runner("r", "a")]).await.unwrap();

    let mut t = c.begin_txn().await;
    t.list("/repo-r/runner-", 0).await.unwrap();
    c.put(vec![runner("r", "new")]).await.unwrap(); // an insert under the listed prefix
    t.put(vec![runner("r", "x")]).await.unwrap();
    assert_eq!(
        t.commit().await.unwrap_err().stately_code,
        "ConcurrentModification"
    );

    let mut t = c.begin_txn().await;
    t.get(&["/repo-r/runner-a"]).await.unwrap();
    c.put(vec![runner("other", "z"), runner("r", "b")])
        .await
        .unwrap(); // keys it did not read
    t.put(vec![runner("r", "a")]).await.unwrap();
    assert!(t.commit().await.unwrap().committed);
}

#[tokio::test]
async fn generated_ids_taken_by_another_writer_conflict() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let mut t = c.begin_txn().await;
    assert_eq!(t.put(vec![outage("r", 1, 0)]).await.unwrap(), vec![Some(1)]);
    c.put(vec![outage("r", 1, 0)]).await.unwrap(); // takes id 1 first
    assert_eq!(
        t.commit().await.unwrap_err().stately_code,
        "ConcurrentModification"
    );
    let (items, _) = c.list_all("/repo-r/history-1", 0, false).await.unwrap();
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn must_not_exist_and_pages_inside_a_transaction() {
    let emu = Emulator::builder().page_cap(2).start().await.unwrap();
    let c = Client::new(&emu);
    c.put((0..5).map(|i| runner("r", &format!("n{i}"))).collect())
        .await
        .unwrap();
    let mut t = c.begin_txn().await;
    let (first, token) = t.list("/repo-r/runner-", 0).await.unwrap();
    assert_eq!((first.len(), token.can_continue), (2, true));
    let r = t
        .call(Cmd::Continue(token.token_data.clone()))
        .await
        .unwrap();
    let (second, _) = page_of(r.into_iter().filter_map(|r| r.list_results).collect()).unwrap();
    assert_eq!(decode::<Runner>(&second[0]).name, "n2");
    // a token from a transaction is not valid outside it
    assert_eq!(
        c.continue_list(&token).await.unwrap_err().code,
        "invalid_argument"
    );
    t.call(Cmd::Put(vec![PutItem {
        item: Some(runner("r", "n0")),
        must_not_exist: true,
        ..Default::default()
    }]))
    .await
    .unwrap();
    let err = t.commit().await.unwrap_err();
    assert_eq!(
        (err.code.as_str(), err.stately_code.as_str()),
        ("failed_precondition", "ConditionalCheckFailed")
    );
}

#[tokio::test]
async fn protocol_mistakes_end_the_stream_with_an_error() {
    let emu = Emulator::start().await.unwrap();
    let mut c = Client::new(&emu);
    let mut t = c.begin_txn().await;
    t.send(Cmd::Get(vec!["no-slash".into()])).await;
    assert_eq!(t.recv().await.unwrap_err().code, "invalid_argument");

    c.version = 0;
    let mut t = c.begin_txn().await;
    t.send(Cmd::Get(vec!["/repo-r".into()])).await;
    assert_eq!(
        t.recv().await.unwrap_err().stately_code,
        "SchemaVersionMismatch"
    );
}
