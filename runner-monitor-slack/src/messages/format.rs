//! Durations and lists as people read them.

use std::time::Duration;

use crate::blocks::{and_more, escape};

/// A duration in its two largest units: `45s`, `12m 5s`, `2h 5m`, `3d 4h`.
pub fn duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, _) if seconds == 0 => format!("{minutes}m"),
        (0, 0, _) => format!("{minutes}m {seconds}s"),
        (0, _, 0) => format!("{hours}h"),
        (0, _, _) => format!("{hours}h {minutes}m"),
        (_, 0, _) => format!("{days}d"),
        _ => format!("{days}d {hours}h"),
    }
}

/// Labels as `` `a`, `b` `` (escaped), at most `max` of them then "... and N more labels";
/// a dash when there are none.
pub(crate) fn labels(labels: &[String], max: usize) -> String {
    if labels.is_empty() {
        return "\u{2014}".to_owned();
    }
    let mut shown: Vec<String> = labels
        .iter()
        .take(max)
        .map(|l| format!("`{}`", escape(l)))
        .collect();
    if labels.len() > max {
        shown.push(and_more(labels.len() - max, "label", "labels"));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_two_units() {
        let cases = [
            (0, "0s"),
            (45, "45s"),
            (60, "1m"),
            (725, "12m 5s"),
            (3600, "1h"),
            (7500, "2h 5m"),
            (86_400, "1d"),
            (86_400 * 3 + 3600 * 4 + 59, "3d 4h"),
        ];
        for (secs, text) in cases {
            assert_eq!(duration(Duration::from_secs(secs)), text, "{secs}");
        }
    }

    #[test]
    fn labels_are_capped_and_escaped() {
        let many: Vec<String> = (0..30).map(|i| format!("l{i}")).collect();
        let text = labels(&many, 20);
        assert!(text.ends_with("... and 10 more labels"), "{text}");
        assert_eq!(labels(&["a<b".to_owned()], 20), "`a&lt;b`");
        assert_eq!(labels(&[], 20), "\u{2014}");
    }
}
