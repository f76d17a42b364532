//! Table tests of silence parsing, windows (DST included) and targets.

use chrono::{TimeZone, Utc};

use super::*;
use crate::model::RunnerStatus;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid test time")
}

fn parse(json: &str) -> Result<Silence, String> {
    serde_json::from_str::<Silence>(json).map_err(|e| e.to_string())
}

fn weekly(days: &str, start: &str, length: &str, zone: &str) -> Silence {
    parse(&format!(
        r#"{{"target": "org:acme", "days": {days}, "start": "{start}", "length": "{length}", "time_zone": "{zone}"}}"#
    ))
    .expect("valid weekly silence")
}

fn runner(name: &str, labels: &[&str]) -> RunnerSnapshot {
    RunnerSnapshot {
        name: name.into(),
        id: 1,
        status: RunnerStatus::Offline,
        busy: false,
        os: "Linux".into(),
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        ephemeral: false,
    }
}

#[test]
fn bad_specs_get_specific_errors() {
    let cases = [
        (r#"{"target": "org:acme"}"#, "either `from`"),
        (
            r#"{"target": "org:acme", "from": "2026-01-01T10:00:00Z", "until": "2026-01-01T09:00:00Z"}"#,
            "must be after",
        ),
        (
            r#"{"target": "org:acme", "from": "2026-01-01T10:00:00Z", "until": "2026-01-01T10:00:00Z"}"#,
            "must be after",
        ),
        (
            r#"{"target": "org:acme", "from": "2026-01-01T10:00:00Z", "duration": "0s"}"#,
            "`duration` must be positive",
        ),
        (
            r#"{"target": "org:acme", "from": "2026-01-01T10:00:00Z", "until": "2026-01-02T10:00:00Z", "duration": "1h"}"#,
            "not both",
        ),
        (
            r#"{"target": "org:acme", "days": ["sat"], "start": "22:00", "length": "4h", "time_zone": "Mars/Olympus"}"#,
            "unknown time zone `Mars/Olympus`",
        ),
        (
            r#"{"target": "org:acme", "days": ["sat"], "start": "22:00", "length": "0s", "time_zone": "UTC"}"#,
            "`length` must be positive",
        ),
        (
            r#"{"target": "org:acme", "days": ["sat"], "start": "22:00", "length": "8days", "time_zone": "UTC"}"#,
            "at most 7 days",
        ),
        (
            r#"{"target": "org:acme", "days": ["caturday"], "start": "22:00", "length": "1h", "time_zone": "UTC"}"#,
            "`caturday`",
        ),
        (
            r#"{"target": "org:acme", "days": [], "start": "22:00", "length": "1h", "time_zone": "UTC"}"#,
            "at least one day",
        ),
        (
            r#"{"target": "org:acme", "days": ["sat"], "start": "25:00", "length": "1h", "time_zone": "UTC"}"#,
            "`start` `25:00`",
        ),
        (
            r#"{"target": "org:acme", "days": ["sat"], "length": "1h", "time_zone": "UTC"}"#,
            "either `from`",
        ),
        (
            r#"{"target": "org:acme", "from": "2026-01-01T10:00:00Z", "duration": "1h", "days": ["sat"]}"#,
            "either `from`",
        ),
        (
            r#"{"target": "label:", "from": "2026-01-01T10:00:00Z", "duration": "1h"}"#,
            "missing name",
        ),
        (
            r#"{"target": "team:x", "from": "2026-01-01T10:00:00Z", "duration": "1h"}"#,
            "unknown prefix",
        ),
        (
            r#"{"target": "x", "from": "2026-01-01T10:00:00Z", "duration": "1h", "colour": "red"}"#,
            "colour",
        ),
    ];
    for (json, expected) in cases {
        let error = parse(json).expect_err(json);
        assert!(error.contains(expected), "{json}: {error}");
    }
}

#[test]
fn once_windows_are_half_open() {
    let s = parse(r#"{"target": "build-1", "from": "2026-01-01T10:00:00Z", "duration": "2h"}"#)
        .expect("valid");
    let cases = [
        (utc(2026, 1, 1, 9, 59), None),
        (utc(2026, 1, 1, 10, 0), Some(utc(2026, 1, 1, 12, 0))),
        (utc(2026, 1, 1, 11, 59), Some(utc(2026, 1, 1, 12, 0))),
        (utc(2026, 1, 1, 12, 0), None),
    ];
    for (at, until) in cases {
        assert_eq!(s.active_until(at), until, "{at}");
        assert_eq!(s.is_active(at), until.is_some(), "{at}");
    }
    assert!(s.ends_after(utc(2026, 1, 1, 11, 0)));
    assert!(!s.ends_after(utc(2026, 1, 1, 12, 0)), "expired at its end");
    assert!(weekly(r#"["mon"]"#, "01:00", "1h", "UTC").ends_after(utc(2030, 1, 1, 0, 0)));
}

#[test]
fn weekly_windows_follow_the_zone_across_dst() {
    // Berlin: CET (+1) until 2026-03-29 02:00 -> CEST (+2); back on 2026-10-25 03:00 -> 02:00.
    let overnight = weekly(r#"["sat"]"#, "22:00", "8h", "Europe/Berlin");
    let gap = weekly(r#"["sun"]"#, "02:30", "1h", "Europe/Berlin");
    let twice = weekly(r#"["sun"]"#, "02:30", "1h", "Europe/Berlin");
    let cases = [
        // Saturday 22:00 CET = 21:00Z; 8 elapsed hours -> 05:00Z (07:00 CEST on the wall).
        (&overnight, utc(2026, 3, 28, 20, 59), None),
        (
            &overnight,
            utc(2026, 3, 28, 21, 0),
            Some(utc(2026, 3, 29, 5, 0)),
        ),
        (
            &overnight,
            utc(2026, 3, 29, 4, 59),
            Some(utc(2026, 3, 29, 5, 0)),
        ),
        (&overnight, utc(2026, 3, 29, 5, 0), None),
        // Summer: Saturday 22:00 CEST = 20:00Z.
        (
            &overnight,
            utc(2026, 7, 4, 20, 0),
            Some(utc(2026, 7, 5, 4, 0)),
        ),
        (&overnight, utc(2026, 7, 4, 19, 59), None),
        // Saturday 2026-10-24 22:00 CEST = 20:00Z, crossing fall-back: ends 04:00Z = 05:00 CET.
        (
            &overnight,
            utc(2026, 10, 25, 3, 59),
            Some(utc(2026, 10, 25, 4, 0)),
        ),
        (&overnight, utc(2026, 10, 25, 4, 0), None),
        // Not on Fridays.
        (&overnight, utc(2026, 7, 3, 21, 0), None),
        // 02:30 does not exist on 2026-03-29: read in CET, 01:30Z (03:30 CEST), for one hour.
        (&gap, utc(2026, 3, 29, 1, 29), None),
        (&gap, utc(2026, 3, 29, 1, 30), Some(utc(2026, 3, 29, 2, 30))),
        // 02:30 exists twice on 2026-10-25: the first (CEST) = 00:30Z.
        (
            &twice,
            utc(2026, 10, 25, 0, 30),
            Some(utc(2026, 10, 25, 1, 30)),
        ),
        (&twice, utc(2026, 10, 25, 1, 30), None),
    ];
    for (silence, at, until) in cases {
        assert_eq!(silence.active_until(at), until, "{at}");
    }
}

#[test]
fn weekly_windows_wrap_the_week_and_take_several_days() {
    let weekend = weekly(r#"["sun", "Saturday"]"#, "23:00", "2h", "UTC");
    // Sunday 23:00 -> Monday 01:00 (the week wraps).
    assert_eq!(
        weekend.active_until(utc(2026, 1, 5, 0, 30)),
        Some(utc(2026, 1, 5, 1, 0))
    );
    assert_eq!(
        weekend.active_until(utc(2026, 1, 3, 23, 30)),
        Some(utc(2026, 1, 4, 1, 0))
    );
    let week = weekly(r#"["mon"]"#, "00:00", "7days", "UTC");
    assert!(week.is_active(utc(2026, 1, 11, 23, 59)), "a whole week");
}

#[test]
fn targets_cover_runners_scopes_and_labels() {
    let acme = Scope::org("acme");
    let other = Scope::org("other");
    let gpu = runner("gpu-1", &["self-hosted", "GPU"]);
    let cpu = runner("cpu-1", &["self-hosted"]);
    let cases = [
        ("org:acme", &acme, Some(&cpu), true),
        ("org:acme", &acme, None, true),
        ("org:acme", &other, Some(&cpu), false),
        ("cpu-1", &other, Some(&cpu), true),
        ("runner:cpu-1", &acme, Some(&gpu), false),
        ("cpu-1", &acme, None, false),
        ("label:gpu", &acme, Some(&gpu), true),
        ("label:gpu", &acme, Some(&cpu), false),
        ("label:gpu", &acme, None, false),
        // Without the pools, a pool target covers the pool's own scope only.
        ("pool:gpu", &acme, Some(&gpu), false),
        ("pool:gpu", &Scope::pool("gpu"), None, true),
        ("pool:gpu", &Scope::pool("cpu"), None, false),
    ];
    for (target, scope, runner, covered) in cases {
        let target: SilenceTarget = target.parse().expect(target);
        assert_eq!(target.covers(scope, runner), covered, "{target} {scope}");
    }
}

#[test]
fn round_trips_through_json_and_derives_stable_ids() {
    let json = r#"{"target": "label:gpu", "days": ["sat"], "start": "22:00", "length": "4h", "time_zone": "Europe/Berlin", "reason": "drivers"}"#;
    let a = parse(json).expect("valid");
    let b = parse(json).expect("valid");
    assert_eq!(a.id, b.id, "derived ids are stable");
    assert!(a.id.starts_with("config-"), "{}", a.id);
    assert_eq!(a.created_by, "config");
    let back: Silence =
        serde_json::from_str(&serde_json::to_string(&a).expect("serializes")).expect("parses");
    assert_eq!(back, a);
    let once = parse(
        r#"{"id": "s1", "target": "acme/api", "from": "2026-01-01T10:00:00Z", "duration": "2h", "created_by": "U1"}"#,
    )
    .expect("valid");
    let back: Silence =
        serde_json::from_str(&serde_json::to_string(&once).expect("serializes")).expect("parses");
    assert_eq!(back, once);
    assert_eq!(once.id, "s1");
}

#[test]
fn back_to_back_silences_extend_each_other() {
    let first = parse(r#"{"target": "x", "from": "2026-01-01T10:00:00Z", "duration": "1h"}"#)
        .expect("valid");
    let second = parse(r#"{"target": "x", "from": "2026-01-01T11:00:00Z", "duration": "1h"}"#)
        .expect("valid");
    let both = [first, second];
    assert_eq!(
        silenced_until(&both, utc(2026, 1, 1, 10, 30)),
        Some(utc(2026, 1, 1, 12, 0))
    );
    assert_eq!(silenced_until(&both, utc(2026, 1, 1, 12, 0)), None);
}

#[test]
fn occurrences_list_each_window_in_a_range_cut_to_it() {
    // Saturdays 22:00 Berlin for 8 h, over March 2026: the DST change on the 29th included.
    let overnight = weekly(r#"["sat"]"#, "22:00", "8h", "Europe/Berlin");
    let from = utc(2026, 3, 8, 0, 0);
    let to = utc(2026, 3, 29, 4, 0);
    assert_eq!(
        overnight.window.occurrences(from, to),
        [
            // The one of Saturday the 7th, running into the range, cut at its start.
            (from, utc(2026, 3, 8, 5, 0)),
            (utc(2026, 3, 14, 21, 0), utc(2026, 3, 15, 5, 0)),
            (utc(2026, 3, 21, 21, 0), utc(2026, 3, 22, 5, 0)),
            // Crossing spring-forward: 8 elapsed hours, cut at the range's end.
            (utc(2026, 3, 28, 21, 0), to),
        ]
    );
    // Every listed stretch is exactly when the window says it is active.
    for (start, end) in overnight.window.occurrences(from, to) {
        assert!(overnight.is_active(start));
        assert!(overnight.is_active(end - chrono::Duration::seconds(1)));
    }
    let once = SilenceWindow::Once {
        from: utc(2026, 3, 10, 0, 0),
        until: utc(2026, 3, 11, 0, 0),
    };
    assert_eq!(
        once.occurrences(utc(2026, 3, 10, 12, 0), to),
        [(utc(2026, 3, 10, 12, 0), utc(2026, 3, 11, 0, 0))]
    );
    assert!(once.occurrences(utc(2026, 3, 12, 0, 0), to).is_empty());
    assert!(overnight.window.occurrences(to, from).is_empty());
}
