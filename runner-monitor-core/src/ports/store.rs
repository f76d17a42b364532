//! The [`Store`] port: per-scope state, outage history and the delivery outbox.
//!
//! The outbox stays on this trait rather than a port of its own: deliveries are written by
//! `commit` in the same atomic step as the change behind them, so every backend that keeps state
//! keeps the outbox, and a separate trait would always be implemented by the same type and passed
//! twice. Its methods are grouped below: `pending_deliveries` (inspection), `claim_due` (the
//! dispatcher's read and lease), `settle_delivery` (under the claim) and `wake_postponed` (what
//! a removed silence releases).

use async_trait::async_trait;

use crate::model::{
    Acknowledgement, Change, Claim, ClaimRequest, Delivery, DeliveryId, MessageReceipt, Outage,
    Scope, ScopeState, Settlement, Silence, Timestamp, Version,
};

/// What a successful commit returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The scope's new version.
    pub version: Version,
}

/// Keeps each scope's runners, outages and source health, and the outbox of deliveries.
///
/// # Contract
/// Every implementation passes `runner_monitor_core::testing::store` (feature `testing`), which
/// pins each clause down.
/// - **load**: a scope never committed loads as [`ScopeState::empty`] (version 0). Otherwise it
///   returns what the last commit left: the scope record, every runner, every *open* outage and the
///   last outage id per runner name (including forgotten runners).
/// - **commit** is atomic and optimistic: it MUST apply all `changes` or none, and only if the
///   scope's current version equals `expected`; otherwise it MUST fail with
///   [`StoreError::Conflict`] and change nothing. Of two commits against the same version exactly
///   one succeeds. A successful commit increases the version. It MUST reject with
///   [`StoreError::Invalid`] (changing nothing) an `OpenOutage` whose id is not the runner's last
///   outage id + 1 or whose runner already has an open outage, and a `ResolveOutage` or
///   `RecordReminder` for an outage that is not open.
/// - Scopes are independent: a commit to one never conflicts with, or changes, another.
/// - **pending_deliveries** returns deliveries neither delivered nor abandoned, due or not,
///   claimed or not, at most `limit`, oldest first: ordered by `created_at`, then scope, then
///   sequence number. It is for inspection (status, tests, operators); dispatchers use
///   `claim_due`. Sequence numbers increase with each enqueue within a scope and are never reused.
/// - **claim_due** (the dispatcher's read) MUST return only the deliveries [`ClaimRequest`]
///   admits that are the *head of their queue* (no earlier pending delivery of the same scope,
///   sink and subject, due or not, claimed or not), at most `limit`, ordered by scope then
///   sequence number (never by wall clock), and MUST claim each one for `holder` until `until`
///   in the same atomic step: of two concurrent calls, no delivery is returned to both unless
///   the first claim had expired. Its cost MUST NOT grow with pending deliveries that are not
///   due, claimed, or for other sinks (indexes, not scans).
/// - **settle_delivery** records the outcome of a claimed delivery. It MUST apply only if the
///   delivery is pending and its stored claim is exactly `claim` (holder and expiry): an expired
///   claim nobody took over still settles. Otherwise it MUST change nothing and fail with
///   [`StoreError::NotFound`] (unknown id, or already delivered or abandoned: settling twice)
///   or [`StoreError::LeaseLost`] (another holder took it over, or the claim was already spent
///   by an earlier `Retry` or `Released`). Every settlement drops the claim.
/// - **outages** returns a runner's outages (open and resolved), newest first, at most `limit`.
/// - **scopes** lists every scope that has been committed.
/// - **outages_between** returns every outage of a scope, of every runner (forgotten ones too),
///   that overlaps `[from, to)`: started before `to`, and open or resolved after `from`. Ordered
///   by runner name, then id. Empty when `from >= to`. Only what history expiry has kept.
/// - **put_receipt** stores a [`MessageReceipt`] under its `(sink, key)`, replacing the one
///   stored there; a receipt whose `open` is empty deletes it (deleting a missing one is fine).
/// - **receipts_following** returns the receipts of `sink` whose `open` contains any of
///   `incident_keys`, each once, ordered by key; its cost grows with the keys asked for, not
///   with the receipts stored.
/// - **put_silence** stores a runtime silence, replacing one with the same id;
///   **delete_silence** removes one by id and says whether it existed; **silences** returns every
///   stored silence by id. Expired ones may be returned (callers skip them with
///   [`Silence::ends_after`]) or dropped by the store, but not before a week after their end
///   (the dispatcher checks openings postponed to an end against it).
/// - **acknowledge** marks the open outage of `(scope, runner)` acknowledged (replacing an
///   earlier acknowledgement) and returns it; it increases the scope's version, so a cycle that
///   loaded the scope before it conflicts and replans (no reminder planned before it lands); it
///   changes nothing else and enqueues nothing; it fails with
///   [`StoreError::NotFound`] when the runner has no open outage. `load` and `outages` return the
///   acknowledgement with the outage.
/// - **wake_postponed** makes every pending delivery (neither delivered nor abandoned) that is
///   not held by a live claim at `now` (no claim, or one whose expiry is `<= now`) and whose
///   next attempt is after `now` and at or before `until` due at `now`, in one atomic step per
///   scope at least; it changes nothing else (attempts, last error, claims, order) and returns
///   how many it changed. Deliveries due by `now`, due after `until`, settled or claimed are
///   left alone. It cannot tell a delivery a silence postponed from one waiting for a retry
///   with a due time in the window: that one is woken early too, which is harmless (the
///   dispatcher re-applies every rule when it claims it, and a retry counts no extra attempt).
/// - `ExpireHistory` never removes an open outage or a pending delivery.
/// - Safe to call concurrently from many tasks (and, for shared backends, many processes).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Loads a scope's state.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached, [`StoreError::Corrupt`] when
    /// stored data cannot be read.
    async fn load(&self, scope: &Scope) -> Result<ScopeState, StoreError>;

    /// Applies `changes` atomically if the scope is still at version `expected`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] if the scope changed since it was loaded; [`StoreError::Invalid`]
    /// for a change that breaks the outage rules.
    async fn commit(
        &self,
        scope: &Scope,
        expected: Version,
        changes: &[Change],
    ) -> Result<Receipt, StoreError>;

    /// Deliveries not yet delivered or abandoned, oldest first, at most `limit` (inspection).
    ///
    /// # Errors
    /// As for [`load`](Self::load).
    async fn pending_deliveries(&self, limit: usize) -> Result<Vec<Delivery>, StoreError>;

    /// Claims the due heads of their queues for `request.holder` and returns them, each with
    /// its [`Delivery::claim`] set.
    ///
    /// # Errors
    /// As for [`load`](Self::load); [`StoreError::Conflict`] is never returned (a store retries
    /// its own optimistic transactions).
    async fn claim_due(&self, request: &ClaimRequest) -> Result<Vec<Delivery>, StoreError>;

    /// Records the outcome of an attempt on a delivery claimed with `claim`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or already settled-for-good id;
    /// [`StoreError::LeaseLost`] when `claim` is no longer the delivery's claim.
    async fn settle_delivery(
        &self,
        id: &DeliveryId,
        claim: &Claim,
        settlement: &Settlement,
    ) -> Result<(), StoreError>;

    /// A runner's outages, newest first, at most `limit`.
    ///
    /// # Errors
    /// As for [`load`](Self::load).
    async fn outages(
        &self,
        scope: &Scope,
        runner: &str,
        limit: usize,
    ) -> Result<Vec<Outage>, StoreError>;

    /// Every scope that has been committed.
    ///
    /// # Errors
    /// As for [`load`](Self::load).
    async fn scopes(&self) -> Result<Vec<Scope>, StoreError>;

    /// Stores (or, with an empty `open`, deletes) a sink's receipt for a message it sent.
    ///
    /// The default fails: a store that keeps no receipts says so, and the dispatcher then
    /// follows messages up without them (with a warning).
    ///
    /// # Errors
    /// As for [`load`](Self::load); [`StoreError::Other`] from the default.
    async fn put_receipt(&self, receipt: &MessageReceipt) -> Result<(), StoreError> {
        let _ = receipt;
        Err(no_receipts())
    }

    /// The receipts of `sink` that still have any of `incident_keys` open, by key.
    ///
    /// # Errors
    /// As for [`put_receipt`](Self::put_receipt).
    async fn receipts_following(
        &self,
        sink: &str,
        incident_keys: &[String],
    ) -> Result<Vec<MessageReceipt>, StoreError> {
        let _ = (sink, incident_keys);
        Err(no_receipts())
    }

    /// Every outage of `scope` overlapping `[from, to)` (open ones included), by runner name then
    /// id: what uptime is computed from.
    ///
    /// The default reads [`load`](Self::load) for the runner names that ever had an outage and
    /// then [`outages`](Self::outages) per name: correct for any store, but one round trip per
    /// name; every store of this workspace overrides it with one query.
    ///
    /// # Errors
    /// As for [`load`](Self::load).
    async fn outages_between(
        &self,
        scope: &Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Outage>, StoreError> {
        if from >= to {
            return Ok(Vec::new());
        }
        let state = self.load(scope).await?;
        let mut found = Vec::new();
        for name in state.last_outage_ids.keys() {
            let mut outages = self.outages(scope, name, usize::MAX).await?;
            outages.retain(|o| overlaps(o, from, to));
            outages.reverse();
            found.extend(outages);
        }
        Ok(found)
    }

    /// Stores a runtime silence (replacing one with its id).
    ///
    /// The default refuses: a store without silences says so instead of dropping them.
    ///
    /// # Errors
    /// As for [`load`](Self::load); [`StoreError::Other`] from the default.
    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        let _ = silence;
        Err(unsupported("silences"))
    }

    /// Removes the silence `id`; `Ok(false)` when there was none.
    ///
    /// # Errors
    /// As for [`put_silence`](Self::put_silence).
    async fn delete_silence(&self, id: &str) -> Result<bool, StoreError> {
        let _ = id;
        Err(unsupported("silences"))
    }

    /// Every stored silence by id, expired ones included until deleted (callers ignore them
    /// with [`Silence::ends_after`]). The default has none.
    ///
    /// # Errors
    /// As for [`load`](Self::load).
    async fn silences(&self) -> Result<Vec<Silence>, StoreError> {
        Ok(Vec::new())
    }

    /// Makes the deliveries held back until at most `until` due at `now` (what removing a
    /// silence that ends at `until` releases); returns how many changed.
    ///
    /// Every pending delivery (not delivered, not abandoned, not under a live claim at `now`)
    /// whose next attempt is after `now` and at or before `until` becomes due at `now`;
    /// nothing else about it changes. The dispatcher applies the silence rule again when it
    /// claims them, so one another silence still covers is postponed again. A delivery waiting
    /// for a retry that falls in the window is woken early too: acceptable, as its rules are
    /// re-applied and no attempt is counted for the wake-up.
    ///
    /// The default fails: a store that cannot do it says so, and the caller tells the user
    /// held-back notifications go out at the silence's original end.
    ///
    /// # Errors
    /// As for [`load`](Self::load); [`StoreError::Other`] from the default.
    async fn wake_postponed(&self, until: Timestamp, now: Timestamp) -> Result<usize, StoreError> {
        let _ = (until, now);
        Err(StoreError::Other {
            message: "this store cannot wake postponed deliveries".to_owned(),
        })
    }

    /// Marks the open outage of `runner` in `scope` acknowledged and returns it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the runner has no open outage; otherwise as for
    /// [`load`](Self::load); [`StoreError::Other`] from the default.
    async fn acknowledge(
        &self,
        scope: &Scope,
        runner: &str,
        ack: &Acknowledgement,
    ) -> Result<Outage, StoreError> {
        let _ = (scope, runner, ack);
        Err(unsupported("acknowledgements"))
    }
}

fn unsupported(what: &str) -> StoreError {
    StoreError::Other {
        message: format!("this store does not keep {what}"),
    }
}

fn no_receipts() -> StoreError {
    StoreError::Other {
        message: "this store keeps no message receipts".to_owned(),
    }
}

/// Whether `outage` overlaps `[from, to)`, as [`Store::outages_between`] selects: started before
/// `to`, and still open or resolved after `from`; nothing overlaps an empty range (`from >= to`).
/// Stores that filter in memory use it.
///
/// # Examples
/// ```
/// use chrono::{TimeZone, Utc};
/// use runner_monitor_core::{Outage, RunnerStatus, overlaps};
/// let t = |s| Utc.timestamp_opt(s, 0).unwrap();
/// let mut o = Outage {
///     runner: "a".into(), id: 1, runner_id: 7, trigger: RunnerStatus::Offline,
///     started_at: t(100), resolved_at: None, resolution: None,
///     description: String::new(), reminders: 0, last_reminded_at: None, acknowledged: None,
/// };
/// assert!(overlaps(&o, t(0), t(101)), "open and started inside");
/// assert!(!overlaps(&o, t(0), t(100)), "starts at the end: outside");
/// o.resolved_at = Some(t(200));
/// assert!(!overlaps(&o, t(200), t(300)), "ended at the start: outside");
/// assert!(!overlaps(&o, t(150), t(150)), "empty range");
/// ```
pub fn overlaps(outage: &Outage, from: Timestamp, to: Timestamp) -> bool {
    from < to && outage.started_at < to && outage.resolved_at.is_none_or(|end| end > from)
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The scope changed since it was loaded (optimistic concurrency): reload and replan.
    #[error("conflict on scope {scope}: expected version {expected}, found {actual}")]
    Conflict {
        /// The scope.
        scope: Scope,
        /// The version the commit expected.
        expected: Version,
        /// The version found (or `expected` when the backend cannot say).
        actual: Version,
    },
    /// A change broke a store rule (outage numbering, double open, resolving a closed outage).
    #[error("invalid change: {message}")]
    Invalid {
        /// What was wrong.
        message: String,
    },
    /// A delivery or item that does not exist.
    #[error("not found: {message}")]
    NotFound {
        /// What was missing.
        message: String,
    },
    /// The delivery's claim is no longer the caller's: its lease expired and another dispatcher
    /// took it over (or the claim was already settled). Nothing was changed; the new holder's
    /// state stands.
    #[error("lease lost: {message}")]
    LeaseLost {
        /// Which delivery and who holds it now.
        message: String,
    },
    /// The backend cannot be reached or is overloaded.
    #[error("store unavailable: {message}")]
    Unavailable {
        /// Details, free of secrets.
        message: String,
    },
    /// Stored data cannot be read (corrupt file, unknown schema version, undecodable item).
    #[error("store data unreadable: {message}")]
    Corrupt {
        /// Details.
        message: String,
    },
    /// Credentials rejected or missing permission.
    #[error("store access denied: {message}")]
    Unauthorized {
        /// Details, free of secrets.
        message: String,
    },
    /// Anything else.
    #[error("store error: {message}")]
    Other {
        /// Details, free of secrets.
        message: String,
    },
}

impl StoreError {
    /// Whether the same operation may succeed if retried (after a reload, for conflicts).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Conflict { .. } | StoreError::Unavailable { .. }
        )
    }
}
