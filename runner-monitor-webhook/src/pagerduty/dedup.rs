//! [`dedup_key`]: PagerDuty's `dedup_key`, derived only from the incident so it survives restarts.

use runner_monitor_core::{Notification, NotificationKind};
use sha2::{Digest, Sha256};

/// PagerDuty's limit on `dedup_key`.
const MAX_LEN: usize = 255;

/// Bytes of the readable key kept in front of the hash when the key is too long.
const KEPT_PREFIX: usize = 180;

/// The `dedup_key` of a notification's incident: [`Notification::incident_key`]
/// (`scope/subject/outage:N` or `scope/source/incident:N`), identical for the trigger and the
/// resolve of one incident and for every redelivery, computed from data only (no state), so a
/// resolve sent after a restart still closes its trigger.
///
/// A flapping runner's `runner_flapping` and `runner_stable` share one key per runner,
/// `scope/runner:<name>/flapping` (no episode): PagerDuty keeps one flapping alert per runner,
/// a runner that flaps again while it is open joins it instead of paging again, and the next
/// `runner_stable` resolves it.
///
/// Keys longer than 255 bytes become their first 180 bytes (cut on a character boundary),
/// `~sha256:` and the 64 hex digits of the SHA-256 of the whole key: still unique, still stable.
pub fn dedup_key(notification: &Notification) -> String {
    match &notification.kind {
        NotificationKind::RunnerFlapping { .. } | NotificationKind::RunnerStable { .. } => shorten(
            format!("{}/{}/flapping", notification.scope, notification.subject()),
        ),
        _ => shorten(notification.incident_key()),
    }
}

/// `key` within PagerDuty's 255 bytes (see [`dedup_key`]).
pub(crate) fn shorten(key: String) -> String {
    if key.len() <= MAX_LEN {
        return key;
    }
    let mut cut = KEPT_PREFIX;
    while !key.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!("{}~sha256:{digest}", &key[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_kept() {
        assert_eq!(
            shorten("acme/api/runner:b/outage:1".into()),
            "acme/api/runner:b/outage:1"
        );
        let exactly = "k".repeat(MAX_LEN);
        assert_eq!(shorten(exactly.clone()), exactly);
    }

    #[test]
    fn long_keys_are_hashed_deterministically_and_stay_distinct() {
        let a = format!("acme/api/runner:{}/outage:1", "é".repeat(200));
        let b = format!("acme/api/runner:{}/outage:2", "é".repeat(200));
        let (ka, kb) = (shorten(a.clone()), shorten(b));
        assert!(ka.len() <= MAX_LEN, "{}", ka.len());
        assert_eq!(ka, shorten(a));
        assert_ne!(ka, kb);
        assert!(ka.starts_with("acme/api/runner:é"));
        assert!(ka.contains("~sha256:"));
    }
}
