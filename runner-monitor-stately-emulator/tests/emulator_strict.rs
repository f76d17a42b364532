//! The emulator is as strict as StatelyDB and no stricter: required fields per the schema, empty
//! request lists refused, `schema_id` 0 in a transaction begin (as the official clients send it),
//! every published schema version, and the write limit per request and per transaction.
#![allow(clippy::unwrap_used)]

mod emulator_client;

use emulator_client::*;
use runner_monitor_stately_emulator::{DEFAULT_MAX_WRITES, Emulator, original_schema};

fn invalid(e: &CallError, needle: &str) {
    assert_eq!(e.code, "invalid_argument", "{e:?}");
    assert!(e.message.contains(needle), "{needle:?} not in {e:?}");
}

#[tokio::test]
async fn required_fields_must_be_set_and_non_zero() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    // a Runner without a status (#4) and one with runnerId 0 (#1): both refused, nothing written
    let mut r: Runner = decode(&runner("o/r", "a"));
    r.status = 0;
    let e = c.put(vec![item("Runner", &r)]).await.unwrap_err();
    invalid(&e, "#4");
    r.status = 1;
    r.runner_id = 0;
    let e = c
        .put(vec![runner("o/r", "b"), item("Runner", &r)])
        .await
        .unwrap_err();
    invalid(&e, "#1");
    assert!(emu.key_paths().is_empty(), "{:?}", emu.key_paths());
    // an OutageEvent without startedAt (#5); Repository without owner (#2)
    let mut o: Outage = decode(&outage("o/r", 7, 0));
    o.started_at = 0;
    invalid(
        &c.put(vec![item("OutageEvent", &o)]).await.unwrap_err(),
        "#5",
    );
    let repo = Repository {
        repo_id: "o/r".into(),
        ..Default::default()
    };
    invalid(
        &c.put(vec![item("Repository", &repo)]).await.unwrap_err(),
        "#2",
    );
    // optional fields may be zero: os "" on a Runner, the Repository's name and timestamps
    let mut ok: Runner = decode(&runner("o/r", "c"));
    ok.os = String::new();
    c.put(vec![item("Runner", &ok)]).await.unwrap();
    // bool fields are never required; an initialValue field may be 0 (the server picks it)
    c.put(vec![outage("o/r", 7, 0)]).await.unwrap();
    // the same check inside a transaction: put_items is refused and the stream ends
    let mut t = c.begin_txn().await;
    let e = t.put(vec![item("OutageEvent", &o)]).await.unwrap_err();
    invalid(&e, "#5");
}

#[tokio::test]
async fn the_original_schema_requires_what_version_2_required() {
    let emu = Emulator::builder()
        .schema(original_schema())
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    // in version 2 labels (#7) and the timestamps were required
    let e = c.put(vec![runner("stately", "a")]).await.unwrap_err();
    invalid(&e, "#7");
}

#[tokio::test]
async fn empty_request_lists_are_refused_in_transactions_too() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    invalid(&c.put(vec![]).await.unwrap_err(), "puts");
    invalid(&c.get(&[]).await.unwrap_err(), "gets");
    invalid(&c.delete(&[]).await.unwrap_err(), "deletes");
    for cmd in [Cmd::Get(vec![]), Cmd::Put(vec![]), Cmd::Delete(vec![])] {
        let mut t = c.begin_txn().await;
        t.send(cmd).await;
        let e = loop {
            match t.recv().await {
                Err(e) => break e,
                Ok(Some(_)) => {}
                Ok(None) => panic!("stream ended without an error"),
            }
        };
        invalid(&e, "must not be empty");
    }
}

#[tokio::test]
async fn a_transaction_begun_without_schema_id_uses_the_stores_schema() {
    let emu = Emulator::start().await.unwrap();
    let mut c = Client::new(&emu);
    c.schema_id = 0;
    let mut t = c.begin_txn().await;
    t.put(vec![runner("o/r", "a")]).await.unwrap();
    assert!(t.commit().await.unwrap().committed);
    // unary calls still need the schema id
    let e = c.get(&["/repo-o%/r/runner-a"]).await.unwrap_err();
    invalid(&e, "schema id 0");
}

#[tokio::test]
async fn every_published_schema_version_is_accepted() {
    let emu = Emulator::start().await.unwrap();
    let mut c = Client::new(&emu);
    for version in 1..=emu.schema_version() {
        c.version = version;
        c.put(vec![runner("o/r", &format!("v{version}"))])
            .await
            .unwrap();
    }
    for version in [0, emu.schema_version() + 1] {
        c.version = version;
        let e = c.get(&["/repo-o%/r/runner-v1"]).await.unwrap_err();
        assert_eq!(e.stately_code, "SchemaVersionMismatch", "{e:?}");
    }
}

#[tokio::test]
async fn writes_over_the_limit_are_refused_per_request_and_per_transaction() {
    let emu = Emulator::start().await.unwrap();
    let c = Client::new(&emu);
    let runners = |n: usize, from: usize| {
        (from..from + n)
            .map(|i| runner("o/r", &format!("r{i:04}")))
            .collect::<Vec<_>>()
    };
    c.put(runners(DEFAULT_MAX_WRITES, 0)).await.unwrap();
    let e = c
        .put(runners(DEFAULT_MAX_WRITES + 1, 1000))
        .await
        .unwrap_err();
    invalid(&e, "exceed the limit");
    let keys: Vec<String> = (0..=DEFAULT_MAX_WRITES)
        .map(|i| format!("/repo-o%/r/runner-r{i:04}"))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    invalid(&c.delete(&keys).await.unwrap_err(), "exceed the limit");
    // in a transaction puts and deletes add up: 60 puts + 41 deletes is one too many
    let mut t = c.begin_txn().await;
    t.put(runners(60, 2000)).await.unwrap();
    t.delete(&keys[..41]).await;
    let e = t.commit().await.unwrap_err();
    invalid(&e, "exceed the limit");
    assert_eq!(emu.key_paths().len(), DEFAULT_MAX_WRITES);
    // exactly the limit commits
    let mut t = c.begin_txn().await;
    t.put(runners(60, 2000)).await.unwrap();
    t.delete(&keys[..40]).await;
    assert!(t.commit().await.unwrap().committed);
    // a smaller limit can be configured
    let small = Emulator::builder().max_writes(2).start().await.unwrap();
    let e = Client::new(&small).put(runners(3, 0)).await.unwrap_err();
    invalid(&e, "limit of 2");
}

/// The emulator's required fields are those the schema package computes for schema/items.ts.
#[test]
fn required_fields_match_the_built_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runner-monitor-stately/schema/wire-fields.json"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schema = runner_monitor_stately_emulator::runner_monitor_schema();
    for t in &schema.item_types {
        let fields = json["types"][&t.name]["fields"].as_array().unwrap();
        let required: Vec<u32> = fields
            .iter()
            .filter(|f| f["required"] == true && f["readDefault"] == "")
            .map(|f| u32::try_from(f["number"].as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(t.required, required, "{}", t.name);
        assert_eq!(
            json["types"][&t.name]["keyPaths"][0], t.template,
            "{}",
            t.name
        );
    }
}
