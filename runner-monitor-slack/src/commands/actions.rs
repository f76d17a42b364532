//! The actions behind `/runner-silence`, `/runner-unsilence` and `/runner-ack`, as plain async
//! functions over a [`Store`], so the interactive buttons of alert messages (Silence 1 h,
//! Acknowledge) carry them out through the same code as the slash commands.

use std::time::Duration;

use runner_monitor_core::{
    Acknowledgement, Outage, Scope, Silence, SilenceTarget, SilenceWindow, Store, StoreError,
    Timestamp,
};

/// The longest silence a command may set (a longer maintenance belongs in the configuration).
pub const MAX_SILENCE: Duration = Duration::from_secs(30 * 86_400);

/// Why an action was not carried out; each renders as a message telling the user what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActionError {
    /// The target does not parse.
    #[error("{0}")]
    Target(String),
    /// The duration does not parse, is zero or too long.
    #[error("{0}")]
    Duration(String),
    /// Nothing matched (no silence with that id or target; no open outage for that runner).
    #[error("{0}")]
    NotFound(String),
    /// The runner has an open outage in several scopes: name one.
    #[error("`{runner}` has an open outage in several scopes")]
    Ambiguous {
        /// The runner.
        runner: String,
        /// The scopes.
        scopes: Vec<Scope>,
    },
    /// The store failed (logged; the user is told to try again).
    #[error("store: {0}")]
    Store(StoreError),
}

/// Parses a duration argument (`30m`, `2h`, `1d`, humantime syntax): positive, at most
/// [`MAX_SILENCE`].
///
/// # Errors
/// [`ActionError::Duration`] saying what is wrong.
pub fn parse_duration(text: &str) -> Result<Duration, ActionError> {
    let duration = humantime::parse_duration(text).map_err(|_| {
        ActionError::Duration(format!(
            "`{text}` is not a duration; write it like `30m`, `2h` or `1d`"
        ))
    })?;
    if duration.is_zero() || duration > MAX_SILENCE {
        return Err(ActionError::Duration(format!(
            "a silence lasts more than 0 and at most 30 days, not `{text}`"
        )));
    }
    Ok(duration)
}

/// Silences `target` (runner, scope, `label:NAME`, `pool:NAME`) from `now` for `duration`,
/// set by `user`, and stores it. Returns the stored silence (its generated id included).
///
/// # Errors
/// [`ActionError::Target`] for a target that does not parse, [`ActionError::Duration`] for a
/// duration out of range, [`ActionError::Store`] when it cannot be stored.
pub async fn silence(
    store: &dyn Store,
    target: &str,
    duration: Duration,
    reason: &str,
    user: &str,
    now: Timestamp,
) -> Result<Silence, ActionError> {
    let target: SilenceTarget = target
        .parse()
        .map_err(|e: runner_monitor_core::TargetParseError| ActionError::Target(e.to_string()))?;
    if duration.is_zero() || duration > MAX_SILENCE {
        return Err(ActionError::Duration(
            "a silence lasts more than 0 and at most 30 days".to_owned(),
        ));
    }
    let until = chrono::Duration::from_std(duration)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| ActionError::Duration("that silence would end too far away".to_owned()))?;
    let silence = Silence {
        id: new_id(&target, user, now),
        target,
        window: SilenceWindow::Once { from: now, until },
        reason: reason.trim().to_owned(),
        created_by: user.to_owned(),
        created_at: Some(now),
    };
    store
        .put_silence(&silence)
        .await
        .map_err(ActionError::Store)?;
    Ok(silence)
}

/// What [`unsilence`] did: the silences it removed, and what became of the notifications
/// they held back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsilenced {
    /// The removed silences.
    pub removed: Vec<Silence>,
    /// Held-back deliveries made due now ([`Store::wake_postponed`]); the dispatcher sends
    /// them with its next run if still relevant (another silence may hold them again).
    pub woken: usize,
    /// Silences removed whose held-back deliveries could not be made due now (the store
    /// failed): those stay due at the silence's original end.
    pub not_woken: Vec<(Silence, StoreError)>,
}

/// Until when a removed silence held deliveries back at `now`: a one-off silence's end, the
/// end of a weekly silence's current occurrence; `None` when nothing can be held by it (a
/// one-off that is over, a weekly one not in force).
pub fn held_until(silence: &Silence, now: Timestamp) -> Option<Timestamp> {
    match &silence.window {
        SilenceWindow::Once { until, .. } => (*until > now).then_some(*until),
        SilenceWindow::Weekly(_) => silence.active_until(now),
    }
}

/// Removes the stored silences whose id is `id_or_target`, or else whose target is it, and
/// makes what each held back due at `now` ([`Store::wake_postponed`] up to [`held_until`]),
/// so the dispatcher sends it at once instead of at the silence's end. Returns what was
/// removed and woken. Configured silences cannot be removed here.
///
/// # Errors
/// [`ActionError::NotFound`] when none matches; [`ActionError::Store`] when the silences
/// cannot be read or removed. A failure to wake after the removal is not an error: it is
/// reported in [`Unsilenced::not_woken`].
pub async fn unsilence(
    store: &dyn Store,
    id_or_target: &str,
    now: Timestamp,
) -> Result<Unsilenced, ActionError> {
    let stored = store.silences().await.map_err(ActionError::Store)?;
    let arg = id_or_target.trim();
    let by_id: Vec<Silence> = stored.iter().filter(|s| s.id == arg).cloned().collect();
    let chosen = if by_id.is_empty() {
        let target: Option<SilenceTarget> = arg.parse().ok();
        stored
            .into_iter()
            .filter(|s| target.as_ref() == Some(&s.target))
            .collect()
    } else {
        by_id
    };
    if chosen.is_empty() {
        return Err(ActionError::NotFound(format!(
            "no silence set from Slack has the id or target `{arg}`"
        )));
    }
    for silence in &chosen {
        store
            .delete_silence(&silence.id)
            .await
            .map_err(ActionError::Store)?;
    }
    let mut done = Unsilenced {
        removed: Vec::with_capacity(chosen.len()),
        woken: 0,
        not_woken: Vec::new(),
    };
    for silence in chosen {
        if let Some(until) = held_until(&silence, now) {
            match store.wake_postponed(until, now).await {
                Ok(woken) => done.woken += woken,
                Err(error) => done.not_woken.push((silence.clone(), error)),
            }
        }
        done.removed.push(silence);
    }
    Ok(done)
}

/// Acknowledges the open outage of `runner` for `user`: in `scope` when given, else in the
/// one of `scopes` where the runner has an open outage (one load per scope).
///
/// `runner` may name a capacity pool as `pool:NAME` (with `scope` `None`): its open pool
/// outage is acknowledged in the pool's scope `pool:NAME`, with no load. The returned scope is
/// then the pool's, and the outage's `runner` the pool's name.
///
/// # Errors
/// [`ActionError::NotFound`] when the runner (or pool) has no open outage,
/// [`ActionError::Ambiguous`] when it has one in several scopes, [`ActionError::Target`] for
/// `pool:` without a name, [`ActionError::Store`] on a store failure.
pub async fn acknowledge(
    store: &dyn Store,
    scopes: &[Scope],
    runner: &str,
    scope: Option<&Scope>,
    user: &str,
    now: Timestamp,
) -> Result<(Scope, Outage), ActionError> {
    if let (Some(pool), None) = (runner.strip_prefix("pool:"), scope) {
        return acknowledge_pool(store, pool.trim(), user, now).await;
    }
    let scope = match scope {
        Some(scope) => scope.clone(),
        None if scopes.len() == 1 => scopes[0].clone(),
        None => {
            let mut found = Vec::new();
            for scope in scopes {
                let state = store.load(scope).await.map_err(ActionError::Store)?;
                if state.open_outages.contains_key(runner) {
                    found.push(scope.clone());
                }
            }
            match found.len() {
                1 => found.remove(0),
                0 => {
                    return Err(ActionError::NotFound(format!(
                        "`{runner}` has no open outage in any scope"
                    )));
                }
                _ => {
                    return Err(ActionError::Ambiguous {
                        runner: runner.to_owned(),
                        scopes: found,
                    });
                }
            }
        }
    };
    let ack = Acknowledgement {
        by: user.to_owned(),
        at: now,
    };
    match store.acknowledge(&scope, runner, &ack).await {
        Ok(outage) => Ok((scope, outage)),
        Err(StoreError::NotFound { .. }) => Err(ActionError::NotFound(format!(
            "`{runner}` has no open outage in `{scope}`"
        ))),
        Err(error) => Err(ActionError::Store(error)),
    }
}

/// [`acknowledge`] for the pool `name`.
async fn acknowledge_pool(
    store: &dyn Store,
    name: &str,
    user: &str,
    now: Timestamp,
) -> Result<(Scope, Outage), ActionError> {
    if Scope::check_pool_name(name).is_err() {
        return Err(ActionError::Target(format!(
            "`pool:{name}` is not a pool name; write it like `pool:gpu`"
        )));
    }
    let scope = Scope::pool(name);
    let ack = Acknowledgement {
        by: user.to_owned(),
        at: now,
    };
    match store.acknowledge(&scope, name, &ack).await {
        Ok(outage) => Ok((scope, outage)),
        Err(StoreError::NotFound { .. }) => Err(ActionError::NotFound(format!(
            "pool `{name}` has no open outage (it is not below its floor, or no pool of that \
             name is configured)"
        ))),
        Err(error) => Err(ActionError::Store(error)),
    }
}

/// A short id, unique enough for a handful of silences at a time: `s` and 6 hex digits of a
/// hash of the target, user and time.
fn new_id(target: &SilenceTarget, user: &str, now: Timestamp) -> String {
    let text = format!(
        "{target}|{user}|{}",
        now.timestamp_nanos_opt().unwrap_or_default()
    );
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("s{:06x}", hash >> 40)
}
