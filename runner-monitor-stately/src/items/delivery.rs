//! `Delivery` (`/repo-:repoId/delivery-:seq`, schema v3): one notification to one sink in the
//! outbox. `seq` is assigned by the server (`initialValue: sequence`).

use std::time::Duration;

use runner_monitor_core::{Claim, Delivery, DeliveryId, Notification, Scope, Settlement};

use super::time::{NEVER_MS, expiry, millis, opt_timestamp, timestamp};
use crate::error::ClientError;
use crate::keys;

/// The `Delivery` item.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DeliveryItem {
    /// The scope's canonical id.
    #[prost(string, tag = "1")]
    pub repo_id: String,
    /// Server-assigned sequence within the scope (0 when creating).
    #[prost(uint64, tag = "2")]
    pub seq: u64,
    /// The sink's name.
    #[prost(string, tag = "3")]
    pub sink: String,
    /// The `Notification` as JSON.
    #[prost(string, tag = "4")]
    pub notification: String,
    /// The notification's `at`.
    #[prost(sint64, tag = "5")]
    pub created_at: i64,
    /// Failed attempts.
    #[prost(uint32, tag = "6")]
    pub attempts: u32,
    /// Not before.
    #[prost(sint64, tag = "7")]
    pub next_attempt_at: i64,
    /// The last failure.
    #[prost(string, tag = "8")]
    pub last_error: String,
    /// When delivered or abandoned (0 = pending).
    #[prost(sint64, tag = "9")]
    pub settled_at: i64,
    /// TTL: never while pending.
    #[prost(sint64, tag = "10")]
    pub expires_at: i64,
    /// Who holds the claim ("" = unclaimed).
    #[prost(string, tag = "11")]
    pub claim_holder: String,
    /// When the claim expires (milliseconds; 0 = unclaimed).
    #[prost(sint64, tag = "12")]
    pub claim_until: i64,
}

impl DeliveryItem {
    /// The schema's item type name.
    pub const TYPE: &'static str = "Delivery";

    /// A new pending delivery of `notification` to `sink` (seq left to the server).
    ///
    /// # Errors
    /// [`ClientError::Decode`] if the notification cannot be serialized.
    pub fn new(
        repo_id: &str,
        sink: &str,
        notification: &Notification,
    ) -> Result<Self, ClientError> {
        Ok(DeliveryItem {
            repo_id: repo_id.to_owned(),
            seq: 0,
            sink: sink.to_owned(),
            notification: serde_json::to_string(notification).map_err(|e| {
                ClientError::Decode(format!("cannot serialize a notification: {e}"))
            })?,
            created_at: millis(notification.at),
            attempts: 0,
            next_attempt_at: millis(notification.at),
            last_error: String::new(),
            settled_at: 0,
            expires_at: NEVER_MS,
            claim_holder: String::new(),
            claim_until: 0,
        })
    }

    /// The key path.
    pub fn key_path(&self) -> String {
        keys::delivery(&self.repo_id, self.seq)
    }

    /// Whether it still waits to be delivered.
    pub fn is_pending(&self) -> bool {
        self.settled_at == 0
    }

    /// The claim it carries, if any (possibly expired).
    ///
    /// # Errors
    /// [`ClientError::Decode`] for a claim expiry out of range.
    pub fn claim(&self) -> Result<Option<Claim>, ClientError> {
        if self.claim_holder.is_empty() {
            return Ok(None);
        }
        Ok(Some(Claim {
            holder: self.claim_holder.clone(),
            until: timestamp(self.claim_until, "Delivery.claimUntil")?,
        }))
    }

    /// Whether `claim` is exactly its claim (holder, and expiry to the millisecond).
    pub fn is_claimed_by(&self, claim: &Claim) -> bool {
        !self.claim_holder.is_empty()
            && self.claim_holder == claim.holder
            && self.claim_until == millis(claim.until)
    }

    /// Claims it for `claim`.
    pub fn set_claim(&mut self, claim: &Claim) {
        self.claim_holder = claim.holder.clone();
        self.claim_until = millis(claim.until);
    }

    /// Records `settlement` and drops the claim; settled deliveries expire `retention` after
    /// settling.
    pub fn settle(&mut self, settlement: &Settlement, retention: Duration) {
        self.claim_holder.clear();
        self.claim_until = 0;
        match settlement {
            Settlement::Delivered { at } => {
                self.settled_at = millis(*at);
                self.expires_at = expiry(*at, retention);
            }
            Settlement::Abandoned { at, reason } => {
                self.settled_at = millis(*at);
                self.expires_at = expiry(*at, retention);
                self.last_error = reason.clone();
            }
            Settlement::Retry {
                next_attempt_at,
                error,
                ..
            } => {
                self.attempts = self.attempts.saturating_add(1);
                self.next_attempt_at = millis(*next_attempt_at);
                self.last_error = error.clone();
            }
            Settlement::Postponed { until, .. } => {
                self.next_attempt_at = millis(*until);
            }
            Settlement::Released { .. } => {}
        }
    }

    /// The delivery it holds, in `scope`.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for an unreadable notification or timestamp.
    pub fn delivery(&self, scope: &Scope) -> Result<Delivery, ClientError> {
        let notification: Notification = serde_json::from_str(&self.notification).map_err(|e| {
            ClientError::Decode(format!(
                "Delivery {}: unreadable notification: {e}",
                self.seq
            ))
        })?;
        Ok(Delivery {
            id: DeliveryId {
                scope: scope.clone(),
                seq: self.seq,
            },
            sink: self.sink.clone(),
            notification,
            created_at: timestamp(self.created_at, "Delivery.createdAt")?,
            attempts: self.attempts,
            next_attempt_at: timestamp(self.next_attempt_at, "Delivery.nextAttemptAt")?,
            last_error: (!self.last_error.is_empty()).then(|| self.last_error.clone()),
            claim: self.claim()?,
        })
    }

    /// When it was settled, if it was.
    ///
    /// # Errors
    /// [`ClientError::Decode`] for a timestamp out of range.
    pub fn settled_at(&self) -> Result<Option<runner_monitor_core::Timestamp>, ClientError> {
        opt_timestamp(self.settled_at, "Delivery.settledAt")
    }
}
