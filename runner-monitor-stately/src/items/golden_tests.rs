//! Golden byte vectors written by hand from the field table in `schema/ITEMS.md` (not produced by
//! this code), and items shaped like the original monitor's (schema v2 fields only).
//!
//! Reminders: a key byte is `(field << 3) | wire type` (0 varint, 2 length-delimited) and is
//! itself a varint, so fields 16+ take two bytes (`16 << 3 = 128` -> `80 01`); `sint64` is
//! zigzag-encoded (`n >= 0` -> `2n`, `-1` -> `1`); proto3 omits fields at their default; repeated
//! `uint64` is packed (one length-delimited field).

use std::time::Duration;

use chrono::DateTime;
use prost::Message;
use runner_monitor_core::{Outage, Resolution, RunnerRecord, RunnerStatus, Scope, ScopeRecord};

use super::*;

fn ms(millis: i64) -> runner_monitor_core::Timestamp {
    DateTime::from_timestamp_millis(millis).expect("in range")
}

#[test]
fn runner_v3_golden_bytes() {
    let record = RunnerRecord {
        name: "r1".into(),
        id: 300,
        previous_ids: vec![5, 200],
        status: RunnerStatus::Offline,
        busy: false,
        os: "linux".into(),
        labels: vec!["gpu".into()],
        ephemeral: true,
        group_id: Some(1),
        first_seen_at: ms(1),
        last_seen_at: ms(1000),
        since: ms(-1),
        ever_healthy: true,
        flap_opens: vec![ms(1000), ms(-1)],
        flapping_since: Some(ms(2000)),
    };
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x08, 0xAC, 0x02,                         // 1 runnerId uint64 300 = varint AC 02
        0x12, 0x03, b'o', b'/', b'r',             // 2 repoId "o/r"
        0x1A, 0x02, b'r', b'1',                   // 3 name "r1"
        0x20, 0x02,                               // 4 status OFFLINE = 2
        0x28, 0x01,                               // 5 enabled true
        0x32, 0x05, b'l', b'i', b'n', b'u', b'x', // 6 os "linux"
        0x3A, 0x05, 0x0A, 0x03, b'g', b'p', b'u', // 7 labels [Label { 1 name "gpu" }]
        0x40, 0xD0, 0x0F,                         // 8 lastSeenAt sint64 1000 -> zigzag 2000
        0x48, 0x02,                               // 9 firstSeenAt sint64 1 -> zigzag 2
        //                                           10 createdAt, 11 updatedAt: 0, omitted
        //                                           12 busy false, omitted
        0x68, 0x01,                               // 13 ephemeral true
        0x70, 0x01,                               // 14 runnerGroupId 1
        0x7A, 0x03, 0x05, 0xC8, 0x01,             // 15 previousIds packed [5, 200 = C8 01]
        0x80, 0x01, 0x01,                         // 16 since sint64 -1 -> zigzag 1
        0x88, 0x01, 0x01,                         // 17 everHealthy true
        0x92, 0x01, 0x03, 0xD0, 0x0F, 0x01,       // 18 flapOpens packed sint64 [1000, -1]
        0x98, 0x01, 0xA0, 0x1F,                   // 19 flappingSince sint64 2000 -> 4000
    ];
    let item = Runner::new("o/r", &record);
    assert_eq!(item.encode_to_vec(), expected);
    let decoded = Runner::decode(expected).expect("decode");
    assert_eq!(decoded.record().expect("record"), record);
    assert_eq!(decoded.key_path(), "/repo-o%/r/runner-r1");
}

#[test]
fn outage_v3_golden_bytes() {
    let outage = Outage {
        runner: "r1".into(),
        id: 3,
        runner_id: 7,
        trigger: RunnerStatus::Offline,
        started_at: ms(1000),
        resolved_at: Some(ms(61_000)),
        resolution: Some(Resolution::Removed),
        description: "d".into(),
        reminders: 2,
        last_reminded_at: Some(ms(2000)),
        acknowledged: None,
    };
    let mut item = OutageEvent::new("o/r", &outage, 0, Duration::from_secs(1));
    item.notification_sent = true;
    #[rustfmt::skip]
    let expected: &[u8] = &[
        //                                           1 outageId 0 (new: the server assigns it)
        0x12, 0x03, b'o', b'/', b'r',             // 2 repoId "o/r"
        0x18, 0x07,                               // 3 runnerId 7
        0x20, 0x02,                               // 4 status OFFLINE
        0x28, 0xD0, 0x0F,                         // 5 startedAt 1000 -> zigzag 2000
        0x30, 0x90, 0xB9, 0x07,                   // 6 resolvedAt 61000 -> zigzag 122000
        0x3A, 0x01, b'd',                         // 7 description "d"
        0x40, 0x01,                               // 8 notificationSent true
        0x5A, 0x02, b'r', b'1',                   // 11 runnerName "r1"
        0x62, 0x07, b'r', b'e', b'm', b'o', b'v', b'e', b'd', // 12 resolution "removed"
        //                                           13 resolvedStatus 0, omitted
        0x70, 0x02,                               // 14 reminders 2
        0x78, 0xA0, 0x1F,                         // 15 lastRemindedAt 2000 -> zigzag 4000
        0x80, 0x01, 0xE0, 0xC8, 0x07,             // 16 expiresAt 61000 + 1 s TTL = 62000 -> 124000
        0x88, 0x01, 0x03,                         // 17 number 3
    ];
    assert_eq!(item.encode_to_vec(), expected);
    let decoded = OutageEvent::decode(expected).expect("decode");
    assert_eq!(decoded.outage().expect("outage"), outage);
}

#[test]
fn open_outage_never_expires() {
    let outage = Outage {
        runner: "r1".into(),
        id: 1,
        runner_id: 7,
        trigger: RunnerStatus::Unknown,
        started_at: ms(1000),
        resolved_at: None,
        resolution: None,
        description: String::new(),
        reminders: 0,
        last_reminded_at: None,
        acknowledged: None,
    };
    let item = OutageEvent::new("o/r", &outage, 9, Duration::from_secs(30 * 86_400));
    assert_eq!(item.expires_at, time::NEVER_MS);
    assert_eq!(time::NEVER_MS, ms(time::NEVER_MS).timestamp_millis());
    assert_eq!(
        ms(time::NEVER_MS).to_rfc3339(),
        "9999-12-31T23:59:59.999+00:00"
    );
    assert_eq!(item.key_path(), "/repo-o%/r/history-7/outage-9");
}

#[test]
fn repository_v3_golden_bytes() {
    let record = ScopeRecord {
        last_success_at: Some(ms(1000)),
        ..ScopeRecord::default()
    };
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x0A, 0x03, b'o', b'/', b'r',  // 1 repoId "o/r"
        0x12, 0x01, b'o',              // 2 owner "o"
        0x1A, 0x01, b'r',              // 3 name "r"
        0x20, 0x01,                    // 4 isActive true
        //                                5 createdAt: server-set, 0
        0x30, 0xD0, 0x0F,              // 6 lastSyncedAt 1000 -> zigzag 2000
        0x38, 0x01,                    // 7 version 1
        //                                8-16 source health: all at their defaults
        0x8A, 0x01, 0x04, b'r', b'e', b'p', b'o', // 17 scopeKind "repo" (key 138 = 8A 01)
    ];
    let item = Repository::new(&Scope::repo("o", "r"), "o/r", 1, &record);
    assert_eq!(item.encode_to_vec(), expected);
    assert_eq!(
        Repository::decode(expected).expect("decode").record(),
        Ok(record)
    );
}

#[test]
fn repository_trust_fields_golden_bytes() {
    let record = ScopeRecord {
        suspect_since: Some(ms(1000)),
        clock_jump_at: Some(ms(2000)),
        ..ScopeRecord::default()
    };
    let item = Repository::new(&Scope::org("acme"), "org:acme", 1, &record);
    let bytes = item.encode_to_vec();
    #[rustfmt::skip]
    let tail: &[u8] = &[
        0x90, 0x01, 0xD0, 0x0F, // 18 suspectSince 1000 -> zigzag 2000 (key 144 = 90 01)
        0x98, 0x01, 0xA0, 0x1F, // 19 clockJumpAt 2000 -> zigzag 4000 (key 152 = 98 01)
    ];
    assert!(bytes.ends_with(tail), "{bytes:02X?}");
    assert_eq!(
        Repository::decode(bytes.as_slice())
            .expect("decode")
            .record(),
        Ok(record)
    );
}

#[test]
fn counter_and_index_golden_bytes() {
    let mut counter = OutageCounter {
        repo_id: "o/r".into(),
        runner_name: "r1".into(),
        last_outage_id: 0,
        runner_ids: vec![7],
    };
    counter.record(3, 300);
    counter.record(2, 7);
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x0A, 0x03, b'o', b'/', b'r',     // 1 repoId
        0x12, 0x02, b'r', b'1',           // 2 runnerName
        0x18, 0x03,                       // 3 lastOutageId 3 (never goes back)
        0x22, 0x03, 0x07, 0xAC, 0x02,     // 4 runnerIds packed [7, 300]
    ];
    assert_eq!(counter.encode_to_vec(), expected);
    let index = ScopeIndex {
        index_id: "default".into(),
        repo_id: "o/r".into(),
        pending_deliveries: 2,
    };
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x0A, 0x07, b'd', b'e', b'f', b'a', b'u', b'l', b't', // 1 indexId
        0x12, 0x03, b'o', b'/', b'r',                         // 2 repoId
        0x18, 0x02,                                           // 3 pendingDeliveries
    ];
    assert_eq!(index.encode_to_vec(), expected);
    assert_eq!(index.key_path(), "/index-default/scope-o%/r");
}

#[test]
fn delivery_golden_bytes() {
    let item = DeliveryItem {
        repo_id: "o/r".into(),
        seq: 0,
        sink: "s".into(),
        notification: "{}".into(),
        created_at: 1000,
        attempts: 1,
        next_attempt_at: -1,
        last_error: "e".into(),
        settled_at: 0,
        expires_at: 1,
        claim_holder: "h".into(),
        claim_until: 1,
    };
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0x0A, 0x03, b'o', b'/', b'r',  // 1 repoId
        //                                2 seq 0: the server assigns it
        0x1A, 0x01, b's',              // 3 sink
        0x22, 0x02, b'{', b'}',        // 4 notification JSON
        0x28, 0xD0, 0x0F,              // 5 createdAt 1000 -> 2000
        0x30, 0x01,                    // 6 attempts 1
        0x38, 0x01,                    // 7 nextAttemptAt -1 -> zigzag 1
        0x42, 0x01, b'e',              // 8 lastError
        //                                9 settledAt 0 = pending
        0x50, 0x02,                    // 10 expiresAt 1 -> 2
        0x5A, 0x01, b'h',              // 11 claimHolder
        0x60, 0x02,                    // 12 claimUntil 1 -> 2
    ];
    assert_eq!(item.encode_to_vec(), expected);
}

/// A Runner as the original TypeScript monitor wrote it (fields 1-11, metadata set by the server).
#[rustfmt::skip]
const ORIGINAL_RUNNER: &[u8] = &[
    0x08, 0x17,                                   // 1 runnerId 23
    0x12, 0x03, b'o', b'/', b'r',                 // 2 repoId
    0x1A, 0x03, b'm', b'b', b'p',                 // 3 name "mbp"
    0x20, 0x03,                                   // 4 status BUSY
    0x28, 0x01,                                   // 5 enabled
    0x32, 0x05, b'm', b'a', b'c', b'o', b's',     // 6 os "macos"
    0x3A, 0x0D, 0x0A, 0x0B, b's', b'e', b'l', b'f', b'-', b'h', b'o', b's', b't', b'e', b'd',
                                                  // 7 labels [{ name "self-hosted" }]
    0x40, 0xD0, 0x0F,                             // 8 lastSeenAt 1000
    0x48, 0x02,                                   // 9 firstSeenAt 1
    0x50, 0x02,                                   // 10 createdAt 1
    0x58, 0xE8, 0x07,                             // 11 updatedAt 500 -> zigzag 1000
];

/// An ongoing OutageEvent as the original wrote it: id from the server's sequence, no v3 fields.
#[rustfmt::skip]
const ORIGINAL_OUTAGE: &[u8] = &[
    0x08, 0x04,                                   // 1 outageId 4 (server sequence)
    0x12, 0x03, b'o', b'/', b'r',                 // 2 repoId
    0x18, 0x17,                                   // 3 runnerId 23
    0x20, 0x02,                                   // 4 status OFFLINE
    0x28, 0xD0, 0x0F,                             // 5 startedAt 1000
    //                                               6 resolvedAt 0: ongoing
    0x3A, 0x01, b'x',                             // 7 description
    0x40, 0x01,                                   // 8 notificationSent
    0x48, 0x02,                                   // 9 createdAt 1
    0x50, 0x02,                                   // 10 updatedAt 1
    0x5A, 0x03, b'm', b'b', b'p',                 // 11 runnerName "mbp"
];

#[rustfmt::skip]
const ORIGINAL_REPOSITORY: &[u8] = &[
    0x0A, 0x03, b'o', b'/', b'r',   // 1 repoId
    0x12, 0x01, b'o',               // 2 owner
    0x1A, 0x01, b'r',               // 3 name
    0x20, 0x01,                     // 4 isActive
    0x28, 0x02,                     // 5 createdAt 1
    0x30, 0xD0, 0x0F,               // 6 lastSyncedAt 1000
];

pub(crate) fn original_items() -> Vec<crate::proto::db::Item> {
    vec![
        crate::proto::db::Item::new(Repository::TYPE, ORIGINAL_REPOSITORY.to_vec()),
        crate::proto::db::Item::new(Runner::TYPE, ORIGINAL_RUNNER.to_vec()),
        crate::proto::db::Item::new(OutageEvent::TYPE, ORIGINAL_OUTAGE.to_vec()),
    ]
}

#[test]
fn reads_the_originals_runner() {
    let runner = Runner::decode(ORIGINAL_RUNNER).expect("decode");
    let record = runner.record().expect("record");
    assert_eq!(record.name, "mbp");
    assert_eq!(record.id, 23);
    assert_eq!(record.status, RunnerStatus::Busy);
    assert!(record.busy, "busy follows a BUSY status");
    assert_eq!(record.labels, ["self-hosted"]);
    assert_eq!(record.since, ms(500), "in its state since its last update");
    assert!(record.ever_healthy, "an established runner");
    assert_eq!(record.group_id, None);
    assert!(record.previous_ids.is_empty());
}

#[test]
fn reads_the_originals_outage_and_repository() {
    let outage = OutageEvent::decode(ORIGINAL_OUTAGE)
        .expect("decode")
        .outage()
        .expect("outage");
    assert_eq!(outage.id, 4, "the original's id is its sequence");
    assert_eq!(outage.runner, "mbp");
    assert!(outage.is_open());
    assert_eq!(outage.trigger, RunnerStatus::Offline);
    let record = Repository::decode(ORIGINAL_REPOSITORY)
        .expect("decode")
        .record()
        .expect("record");
    assert_eq!(record.last_success_at, Some(ms(1000)));
    assert_eq!(record.degraded, None);
}

#[test]
fn the_original_reads_what_we_write() {
    // The original's message: fields 1-11 only. prost skips our v3 fields as unknown.
    #[derive(Clone, PartialEq, prost::Message)]
    struct OriginalRunner {
        #[prost(uint64, tag = "1")]
        runner_id: u64,
        #[prost(string, tag = "3")]
        name: String,
        #[prost(int32, tag = "4")]
        status: i32,
        #[prost(message, repeated, tag = "7")]
        labels: Vec<Label>,
        #[prost(sint64, tag = "8")]
        last_seen_at: i64,
    }
    let record = RunnerRecord {
        name: "r1".into(),
        id: 300,
        previous_ids: vec![1, 2],
        status: RunnerStatus::Idle,
        busy: false,
        os: "linux".into(),
        labels: vec!["a".into(), "b".into()],
        ephemeral: false,
        group_id: Some(9),
        first_seen_at: ms(5),
        last_seen_at: ms(77_000),
        since: ms(6),
        ever_healthy: true,
        flap_opens: Vec::new(),
        flapping_since: None,
    };
    let bytes = Runner::new("o/r", &record).encode_to_vec();
    let original = OriginalRunner::decode(bytes.as_slice()).expect("the original decodes it");
    assert_eq!(original.runner_id, 300);
    assert_eq!(original.name, "r1");
    assert_eq!(original.status, 5, "IDLE keeps the original's number");
    assert_eq!(original.labels.len(), 2);
    assert_eq!(original.last_seen_at, 77_000);
}

#[test]
fn decode_dispatches_on_item_type() {
    for item in original_items() {
        let decoded = StoredItem::decode(&item).expect("decode");
        assert_eq!(decoded.repo_id(), Some("o/r"));
    }
    let unknown = crate::proto::db::Item::new("SomethingNew", vec![1, 2, 3]);
    assert_eq!(
        StoredItem::decode(&unknown).expect("unknown types are kept aside"),
        StoredItem::Other("SomethingNew".into())
    );
    let broken = crate::proto::db::Item::new(Runner::TYPE, vec![0x0A, 0x05]);
    assert!(matches!(
        StoredItem::decode(&broken),
        Err(ClientError::Decode(_))
    ));
}
