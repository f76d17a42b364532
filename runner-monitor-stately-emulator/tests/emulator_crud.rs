//! The emulator's data API over h2c: put/get/delete, lists, sequences, metadata, TTL,
//! `must_not_exist` and the error form.
#![allow(clippy::unwrap_used)]

mod emulator_client;

use std::sync::Arc;
use std::time::Duration;

use emulator_client::*;
use runner_monitor_stately_emulator::{Emulator, ManualClock, original_schema};

#[tokio::test]
async fn put_get_delete_round_trip_with_escaped_keys() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let stored = c.put(vec![runner("acme/web%1", "gpu-1")]).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(emu.key_paths(), vec!["/repo-acme%/web%%1/runner-gpu-1"]);

    let got = c
        .get(&[
            "/repo-acme%/web%%1/runner-gpu-1",
            "/repo-acme%/web%%1/runner-nope",
        ])
        .await
        .unwrap();
    assert_eq!(got.len(), 1, "missing items are simply absent");
    let r: Runner = decode(&got[0]);
    assert_eq!(
        (r.repo_id.as_str(), r.name.as_str(), r.os.as_str()),
        ("acme/web%1", "gpu-1", "linux")
    );
    assert_eq!(got[0].item_type, "Runner");

    let deleted = c
        .delete(&[
            "/repo-acme%/web%%1/runner-gpu-1",
            "/repo-acme%/web%%1/runner-nope",
        ])
        .await
        .unwrap();
    assert_eq!(deleted.len(), 2, "deleting a missing item succeeds");
    assert!(
        c.get(&["/repo-acme%/web%%1/runner-gpu-1"])
            .await
            .unwrap()
            .is_empty()
    );
    let s = emu.stats();
    assert_eq!(
        (
            s.calls(runner_monitor_stately_emulator::Method::Put),
            s.items_put,
            s.items_deleted
        ),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn metadata_timestamps_are_filled_and_created_is_kept() {
    let clock = ManualClock::new(1_000_000);
    let emu = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let mut r = Runner {
        runner_id: 7,
        status: 1,
        repo_id: "o/r".into(),
        name: "a".into(),
        created_at: 5,
        updated_at: 5,
        ..Default::default()
    };
    let first: Runner = decode(&c.put(vec![item("Runner", &r)]).await.unwrap()[0]);
    assert_eq!(
        (first.created_at, first.updated_at),
        (1_000_000, 1_000_000),
        "fromMetadata fields are ignored on write"
    );
    clock.advance(Duration::from_secs(5));
    r.os = "mac".into();
    let second: Runner = decode(&c.put(vec![item("Runner", &r)]).await.unwrap()[0]);
    assert_eq!(
        (second.created_at, second.updated_at),
        (1_000_000, 1_005_000)
    );
    let got: Runner = decode(&c.get(&["/repo-o%/r/runner-a"]).await.unwrap()[0]);
    assert_eq!(got, second);

    // overwrite_metadata_timestamps keeps the client's values
    r.created_at = 42;
    r.updated_at = 43;
    let kept: Runner = decode(
        &c.put_items(vec![PutItem {
            item: Some(item("Runner", &r)),
            overwrite_metadata_timestamps: true,
            must_not_exist: false,
        }])
        .await
        .unwrap()[0],
    );
    assert_eq!((kept.created_at, kept.updated_at), (42, 43));
}

#[tokio::test]
async fn sequences_are_contiguous_per_parent_and_type() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let ids = |items: Vec<Item>| {
        items
            .iter()
            .map(|i| decode::<Outage>(i).outage_id)
            .collect::<Vec<_>>()
    };
    let a = c
        .put(vec![
            outage("o/r", 5, 0),
            outage("o/r", 5, 0),
            outage("o/r", 9, 0),
        ])
        .await
        .unwrap();
    assert_eq!(ids(a), vec![1, 2, 1]);
    let b = c.put(vec![outage("o/r", 5, 0)]).await.unwrap();
    assert_eq!(ids(b), vec![3]);
    // explicit ids are kept and later generated ids go past them
    let e = c
        .put(vec![outage("o/r", 5, 10), outage("o/r", 5, 0)])
        .await
        .unwrap();
    assert_eq!(ids(e), vec![10, 11]);
    let d = c
        .put(vec![
            item(
                "Delivery",
                &Delivery {
                    repo_id: "o/r".into(),
                    sink: "slack".into(),
                    notification: "{}".into(),
                    created_at: 1,
                    ..Default::default()
                },
            ),
            item(
                "Delivery",
                &Delivery {
                    repo_id: "x".into(),
                    sink: "slack".into(),
                    notification: "{}".into(),
                    created_at: 1,
                    ..Default::default()
                },
            ),
        ])
        .await
        .unwrap();
    assert_eq!(
        d.iter()
            .map(|i| decode::<Delivery>(i).seq)
            .collect::<Vec<_>>(),
        vec![1, 1]
    );
    assert!(
        emu.key_paths()
            .contains(&"/repo-o%/r/history-5/outage-11".to_owned())
    );
    assert!(
        emu.key_paths()
            .contains(&"/repo-o%/r/delivery-1".to_owned())
    );
}

async fn seed_runners(c: &Client, repo: &str, n: usize) {
    let mut batch = vec![item(
        "Repository",
        &Repository {
            repo_id: repo.into(),
            owner: "o".into(),
            created_at: 0,
        },
    )];
    for i in 0..n {
        batch.push(runner(repo, &format!("r{i:03}")));
    }
    // At most DEFAULT_MAX_WRITES puts per request, as the server.
    for chunk in batch.chunks(runner_monitor_stately_emulator::DEFAULT_MAX_WRITES) {
        c.put(chunk.to_vec()).await.unwrap();
    }
}

#[tokio::test]
async fn lists_by_prefix_in_order_with_continuation_across_many_pages() {
    let emu = Emulator::builder().stream_chunk(4).start().await.unwrap();
    let c = Client::new(&emu);
    seed_runners(&c, "o/r", 150).await;
    seed_runners(&c, "o/r2", 3).await;
    c.put((1..=12).map(|i| outage("o/r", 3, i)).collect())
        .await
        .unwrap();

    let names = |items: &[Item]| {
        items
            .iter()
            .filter(|i| i.item_type == "Runner")
            .map(|i| decode::<Runner>(i).name)
            .collect::<Vec<_>>()
    };
    let (all, pages) = c.list_all("/repo-o%/r/runner-", 7, false).await.unwrap();
    assert_eq!(pages, 22);
    let expected: Vec<String> = (0..150).map(|i| format!("r{i:03}")).collect();
    assert_eq!(names(&all), expected);

    let (desc, _) = c.list_all("/repo-o%/r/runner", 40, true).await.unwrap();
    let mut rev = expected.clone();
    rev.reverse();
    assert_eq!(names(&desc), rev);

    // the group prefix includes the group's own item and every child type, not other groups
    let (group, _) = c.list_all("/repo-o%/r", 0, false).await.unwrap();
    assert_eq!(group.len(), 1 + 150 + 12);
    assert_eq!(group[0].item_type, "Repository");

    // uint ids order numerically
    let (outages, _) = c
        .list_all("/repo-o%/r/history-3/outage", 5, true)
        .await
        .unwrap();
    let ids: Vec<u64> = outages
        .iter()
        .map(|i| decode::<Outage>(i).outage_id)
        .collect();
    assert_eq!(ids, (1..=12).rev().collect::<Vec<_>>());

    let (first, token) = c.begin_list("/repo-o%/r2", 100, false).await.unwrap();
    assert_eq!((first.len(), token.can_continue), (4, false));
    let (none, token) = c.begin_list("/repo-nothing", 10, false).await.unwrap();
    assert!(
        none.is_empty() && !token.can_continue,
        "an empty list is not an error"
    );
}

#[tokio::test]
async fn a_page_cap_returns_fewer_items_than_the_limit() {
    let emu = Emulator::builder().page_cap(3).start().await.unwrap();
    let c = Client::new(&emu);
    seed_runners(&c, "x", 10).await;
    let (page, token) = c.begin_list("/repo-x/runner-", 100, false).await.unwrap();
    assert_eq!((page.len(), token.can_continue), (3, true));
    let (all, pages) = c.list_all("/repo-x/runner-", 100, false).await.unwrap();
    assert_eq!((all.len(), pages), (10, 4));
}

#[tokio::test]
async fn ttl_hides_expired_items_and_zero_means_never() {
    let clock = ManualClock::new(10_000_000);
    let emu = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let o = |id: u64, expires_at: i64| {
        item(
            "OutageEvent",
            &Outage {
                outage_id: id,
                repo_id: "r".into(),
                runner_id: 1,
                expires_at,
                status: 2,
                started_at: 1,
                ..Default::default()
            },
        )
    };
    c.put(vec![o(1, 10_001_000), o(2, 0), o(3, 253_402_300_799_999)])
        .await
        .unwrap();
    assert_eq!(
        c.get(&["/repo-r/history-1/outage-1"]).await.unwrap().len(),
        1
    );
    clock.advance(Duration::from_secs(2));
    assert!(
        c.get(&["/repo-r/history-1/outage-1"])
            .await
            .unwrap()
            .is_empty()
    );
    let (left, _) = c.list_all("/repo-r", 0, false).await.unwrap();
    let ids: Vec<u64> = left.iter().map(|i| decode::<Outage>(i).outage_id).collect();
    assert_eq!(ids, vec![2, 3]);
    // an expired key can be created again with must_not_exist
    c.put_items(vec![PutItem {
        item: Some(o(1, 0)),
        must_not_exist: true,
        ..Default::default()
    }])
    .await
    .unwrap();
}

#[tokio::test]
async fn original_schema_expires_outages_30_days_after_creation() {
    let clock = ManualClock::default();
    let emu = Emulator::builder()
        .schema(original_schema())
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    assert_eq!(emu.schema_version(), 2);
    let c = Client::new(&emu);
    c.put(vec![outage("r", 1, 1)]).await.unwrap();
    clock.advance(Duration::from_secs(30 * 24 * 3600 - 1));
    assert_eq!(
        c.get(&["/repo-r/history-1/outage-1"]).await.unwrap().len(),
        1
    );
    clock.advance(Duration::from_secs(2));
    assert!(
        c.get(&["/repo-r/history-1/outage-1"])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn must_not_exist_fails_the_whole_batch() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    c.put(vec![runner("r", "a")]).await.unwrap();
    let puts = vec![
        put(runner("r", "b")),
        PutItem {
            item: Some(runner("r", "a")),
            must_not_exist: true,
            ..Default::default()
        },
    ];
    let err = c.put_items(puts).await.unwrap_err();
    assert_eq!(
        (err.status, err.code.as_str(), err.stately_code.as_str()),
        (400, "failed_precondition", "ConditionalCheckFailed")
    );
    assert_eq!(err.details_code, 9);
    assert!(
        c.get(&["/repo-r/runner-b"]).await.unwrap().is_empty(),
        "puts of one request are atomic"
    );
}

#[tokio::test]
async fn errors_come_in_connect_form_with_stately_details() {
    let emu = Emulator::start().await.unwrap();
    let mut c = Client::new(&emu);

    c.version = 0;
    let err = c.get(&["/repo-r"]).await.unwrap_err();
    assert_eq!(
        (err.status, err.code.as_str(), err.stately_code.as_str()),
        (400, "failed_precondition", "SchemaVersionMismatch")
    );
    c.version = emu.schema_version() + 1;
    assert_eq!(
        c.put(vec![runner("r", "a")])
            .await
            .unwrap_err()
            .stately_code,
        "SchemaVersionMismatch"
    );
    c.version = emu.schema_version();

    c.store_id += 1;
    let err = c.get(&["/repo-r"]).await.unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (404, "not_found"));
    let err = c.begin_list("/repo-r", 1, false).await.unwrap_err();
    assert_eq!(
        (err.status, err.code.as_str()),
        (200, "not_found"),
        "stream errors travel in the trailer"
    );
    c.store_id -= 1;

    let err = c.get(&["/repo-r/history-notanumber"]).await.unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (400, "invalid_argument"));
    let err = c
        .put(vec![Item {
            item_type: "Nope".into(),
            proto: vec![],
        }])
        .await
        .unwrap_err();
    assert_eq!(err.code, "invalid_argument");
    let err = c
        .put(vec![Item {
            item_type: "Runner".into(),
            proto: vec![0x0a, 9, 1],
        }])
        .await
        .unwrap_err();
    assert_eq!(err.code, "invalid_argument", "malformed payload");
    let err = c.begin_list("/repo", 1, false).await.unwrap_err();
    assert_eq!(
        err.code, "invalid_argument",
        "a list needs the full group key"
    );

    // wrong content type and missing protocol header
    let resp = c
        .http
        .post(format!("{}/stately.db.DatabaseService/Get", c.base))
        .header("content-type", "application/json")
        .header("connect-protocol-version", "1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let resp = c
        .http
        .post(format!("{}/stately.db.DatabaseService/Get", c.base))
        .header("content-type", "application/proto")
        .body(vec![])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let resp = c
        .http
        .post(format!("{}/stately.db.DatabaseService/Nope", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn unary_calls_also_work_over_http1() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::http1(&emu);
    c.put(vec![runner("r", "a")]).await.unwrap();
    assert_eq!(c.get(&["/repo-r/runner-a"]).await.unwrap().len(), 1);
    let (items, _) = c.begin_list("/repo-r", 0, false).await.unwrap();
    assert_eq!(items.len(), 1);
}
