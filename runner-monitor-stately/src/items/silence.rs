//! `Silence` (`/index-:indexId/silence-:silenceId`, schema v3): a runtime silence.

use std::time::Duration;

use runner_monitor_core::{Silence, SilenceWindow};

use super::time::expiry;
use crate::error::ClientError;
use crate::keys;

/// How long a one-off silence is kept after its end (for status and for the dispatcher's check
/// of openings postponed to it), then expires.
pub const KEEP_AFTER_END: Duration = Duration::from_secs(7 * 86_400);

/// The `Silence` item.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct SilenceItem {
    /// The index's name (the store's `index_id`).
    #[prost(string, tag = "1")]
    pub index_id: String,
    /// The silence's id.
    #[prost(string, tag = "2")]
    pub silence_id: String,
    /// The silence as JSON (`SilenceSpec`).
    #[prost(string, tag = "3")]
    pub body: String,
    /// TTL: a one-off silence's end + [`KEEP_AFTER_END`]; 0 (never) for weekly ones.
    #[prost(sint64, tag = "4")]
    pub expires_at: i64,
}

impl SilenceItem {
    /// The schema's item type name.
    pub const TYPE: &'static str = "Silence";

    /// The item for `silence` in index `index_id`.
    ///
    /// # Errors
    /// [`ClientError::Decode`] if the silence cannot be serialized.
    pub fn new(index_id: &str, silence: &Silence) -> Result<Self, ClientError> {
        let body = serde_json::to_string(silence)
            .map_err(|e| ClientError::Decode(format!("Silence.body: {e}")))?;
        let expires_at = match &silence.window {
            SilenceWindow::Once { until, .. } => expiry(*until, KEEP_AFTER_END),
            SilenceWindow::Weekly(_) => 0,
        };
        Ok(SilenceItem {
            index_id: index_id.to_owned(),
            silence_id: silence.id.clone(),
            body,
            expires_at,
        })
    }

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::silence(&self.index_id, &self.silence_id)
    }

    /// The silence it holds.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for a body that is not a valid silence.
    pub fn silence(&self) -> Result<Silence, ClientError> {
        serde_json::from_str(&self.body)
            .map_err(|e| ClientError::Decode(format!("Silence.body of `{}`: {e}", self.silence_id)))
    }

    /// Whether it expired by `now_ms` (the server deletes it soon after).
    pub fn expired(&self, now_ms: i64) -> bool {
        self.expires_at != 0 && self.expires_at <= now_ms
    }
}

#[cfg(test)]
mod tests {
    use super::super::time::millis;
    use super::*;

    #[test]
    fn round_trips_and_expires_a_week_after_a_one_off_silence() {
        let silence: Silence = serde_json::from_str(
            r#"{"id": "s1", "target": "org:acme", "from": "2026-01-01T00:00:00Z", "duration": "1h"}"#,
        )
        .expect("valid");
        let item = SilenceItem::new("default", &silence).expect("item");
        assert_eq!(item.key_path(), "/index-default/silence-s1");
        assert_eq!(item.silence().expect("decodes"), silence);
        let end = millis(
            chrono::DateTime::parse_from_rfc3339("2026-01-01T01:00:00Z")
                .expect("time")
                .to_utc(),
        );
        assert_eq!(item.expires_at, end + 7 * 86_400_000);
        let weekly: Silence = serde_json::from_str(
            r#"{"id": "w", "target": "label:gpu", "days": ["sat"], "start": "22:00", "length": "2h", "time_zone": "UTC"}"#,
        )
        .expect("valid");
        assert_eq!(
            SilenceItem::new("default", &weekly)
                .expect("item")
                .expires_at,
            0
        );
    }
}
