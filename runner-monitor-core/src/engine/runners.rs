//! Per-runner rules: records, outages, reminders, forgetting (flapping decides in `flapping`).

use std::collections::HashMap;

use super::flapping::{self, Opening, Settled};
use super::{Plan, deregistered, elapsed};
use crate::model::{
    Change, Notification, NotificationKind, Observation, ObservedRunner, Outage, Policy,
    Resolution, RunnerRecord, RunnerSnapshot, RunnerStatus, ScopeState, Timestamp,
};

/// How many earlier GitHub ids a record remembers (history lookups by name use them).
const MAX_PREVIOUS_IDS: usize = 16;

/// A listing indexed by runner name.
pub(super) type Listed<'a> = HashMap<&'a str, &'a ObservedRunner, foldhash::fast::RandomState>;

/// Indexes a listing by name. GitHub enforces unique names, so a name listed twice is a source
/// defect: the entry with the highest id (the newest registration) stands for the name, the other
/// is ignored; never two records.
pub(super) fn index(observation: &Observation) -> Listed<'_> {
    let mut listed: Listed<'_> =
        HashMap::with_capacity_and_hasher(observation.runners.len(), Default::default());
    for observed in &observation.runners {
        listed
            .entry(observed.name.as_str())
            .and_modify(|kept| {
                if observed.id > kept.id {
                    *kept = observed;
                }
            })
            .or_insert(observed);
    }
    listed
}

/// How a listing compares with the known runners (the suspect-listing rule's input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Loss {
    /// Known runners: non-ephemeral, listed at the previous observation (not UNKNOWN).
    pub(super) known: usize,
    /// Known runners missing from this listing.
    pub(super) lost: usize,
}

/// What to do with known runners missing from the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Absence {
    /// The usual rules: unhealthy (UNKNOWN), forgotten after `forget_after`.
    Usual,
    /// A suspect drop was accepted: known runners missing now are removed at once and reported
    /// together in one `runners_removed`.
    Removed,
}

/// Plans every runner change of a believed listing; returns how many known runners it lacks.
pub(super) fn reconcile_runners(
    state: &ScopeState,
    observation: &Observation,
    listed: &Listed<'_>,
    policy: &Policy,
    now: Timestamp,
    absence: Absence,
    plan: &mut Plan,
) -> Loss {
    let ctx = Ctx {
        state,
        policy,
        now,
        absence,
    };
    plan.stats.runners_seen = listed.len();

    // Known runners, in name order: listed ones are compared, missing ones are absent.
    let mut matched = 0;
    let mut loss = Loss::default();
    let mut removed = Vec::new();
    let mut deregistered = Vec::new();
    for (name, previous) in &state.runners {
        let known = !previous.ephemeral && previous.status != RunnerStatus::Unknown;
        loss.known += usize::from(known);
        match listed.get(name.as_str()) {
            Some(observed) => {
                matched += 1;
                ctx.listed(Some(previous), observed, plan);
            }
            None => {
                loss.lost += usize::from(known);
                if known && absence == Absence::Removed {
                    ctx.removed(previous, plan);
                    removed.push(snapshot(previous));
                } else if ctx.absent(previous, plan) {
                    deregistered.push(snapshot(previous));
                }
            }
        }
    }
    // New runners, in listing order (skipped entirely in steady state).
    if matched < listed.len() {
        for observed in &observation.runners {
            let chosen = listed
                .get(observed.name.as_str())
                .is_some_and(|kept| std::ptr::eq(*kept, observed));
            if chosen && !state.runners.contains_key(&observed.name) {
                ctx.listed(None, observed, plan);
            }
        }
    }

    for name in state.orphan_outages() {
        if listed.contains_key(name) {
            continue;
        }
        if let Some(outage) = state.open_outages.get(name) {
            let snapshot = RunnerSnapshot {
                name: name.to_owned(),
                id: outage.runner_id,
                status: RunnerStatus::Unknown,
                busy: false,
                os: String::new(),
                labels: Vec::new(),
                ephemeral: false,
            };
            ctx.resolve(outage, snapshot, now, Resolution::Removed, true, plan);
        }
    }

    if !removed.is_empty() {
        let since = state.record.suspect_since.unwrap_or(now);
        ctx.notify(
            plan,
            NotificationKind::RunnersRemoved {
                runners: removed,
                known: loss.known,
                since,
                deregistered: false,
            },
        );
    }
    if !deregistered.is_empty() {
        ctx.notify(
            plan,
            NotificationKind::RunnersRemoved {
                runners: deregistered,
                known: loss.known,
                since: now,
                deregistered: true,
            },
        );
    }
    loss
}

/// Whether the listing shows nothing new about a stored runner (the steady-state fast path:
/// no record is built, nothing is allocated).
fn unchanged(previous: &RunnerRecord, observed: &ObservedRunner) -> bool {
    let status = observed.status();
    previous.id == observed.id
        && previous.status == status
        && previous.busy == observed.busy
        && previous.ephemeral == observed.ephemeral
        && previous.group_id == observed.group_id
        && (previous.ever_healthy || !status.is_healthy())
        && previous.os == observed.os
        && previous.labels == observed.labels
}

fn first_sight(observed: &ObservedRunner, now: Timestamp) -> RunnerRecord {
    let status = observed.status();
    RunnerRecord {
        name: observed.name.clone(),
        id: observed.id,
        previous_ids: Vec::new(),
        status,
        busy: observed.busy,
        os: observed.os.clone(),
        labels: observed.labels.clone(),
        ephemeral: observed.ephemeral,
        group_id: observed.group_id,
        first_seen_at: now,
        last_seen_at: now,
        since: now,
        ever_healthy: status.is_healthy(),
        flap_opens: Vec::new(),
        flapping_since: None,
    }
}

fn next_record(previous: &RunnerRecord, observed: &ObservedRunner, now: Timestamp) -> RunnerRecord {
    let mut record = previous.clone();
    let status = observed.status();
    if record.id != observed.id {
        // Re-registered under the same name: the same runner with a new id. It may be listed
        // offline until it first connects, so it gets the new-runner grace again.
        record.previous_ids.push(record.id);
        if record.previous_ids.len() > MAX_PREVIOUS_IDS {
            record.previous_ids.remove(0);
        }
        record.id = observed.id;
        record.ever_healthy = false;
    }
    if record.status.is_healthy() != status.is_healthy() {
        record.since = now;
    }
    record.status = status;
    record.ever_healthy |= status.is_healthy();
    record.busy = observed.busy;
    record.os.clone_from(&observed.os);
    record.labels.clone_from(&observed.labels);
    record.ephemeral = observed.ephemeral;
    record.group_id = observed.group_id;
    record
}

/// Whether anything but `last_seen_at` changed (steady state writes nothing).
fn visibly_differs(previous: &RunnerRecord, next: &RunnerRecord) -> bool {
    previous.id != next.id
        || previous.status != next.status
        || previous.busy != next.busy
        || previous.os != next.os
        || previous.labels != next.labels
        || previous.ephemeral != next.ephemeral
        || previous.group_id != next.group_id
        || previous.since != next.since
        || previous.ever_healthy != next.ever_healthy
        || previous.previous_ids != next.previous_ids
        || previous.flapping_since != next.flapping_since
        || previous.flap_opens != next.flap_opens
}

fn snapshot(record: &RunnerRecord) -> RunnerSnapshot {
    record.snapshot()
}

struct Ctx<'a> {
    state: &'a ScopeState,
    policy: &'a Policy,
    now: Timestamp,
    absence: Absence,
}

impl Ctx<'_> {
    fn notify(&self, plan: &mut Plan, kind: NotificationKind) {
        plan.notifications.push(Notification {
            scope: self.state.scope.clone(),
            at: self.now,
            kind,
        });
    }

    /// A runner in the listing: update its record if anything visible changed, then apply the
    /// outage rules.
    fn listed(&self, previous: Option<&RunnerRecord>, observed: &ObservedRunner, plan: &mut Plan) {
        match previous {
            Some(previous) if unchanged(previous, observed) => {
                // Only the flapping state can change here (an opening or settling).
                if let Some(mut record) = self.outage_rules(previous, plan) {
                    record.last_seen_at = self.now;
                    plan.changes.push(Change::PutRunner(record));
                }
            }
            Some(previous) => {
                let mut record = next_record(previous, observed, self.now);
                if let Some(flapped) = self.outage_rules(&record, plan) {
                    record = flapped;
                }
                if visibly_differs(previous, &record) {
                    record.last_seen_at = self.now;
                    plan.changes.push(Change::PutRunner(record));
                }
            }
            None => {
                let record = first_sight(observed, self.now);
                let record = self.outage_rules(&record, plan).unwrap_or(record);
                plan.changes.push(Change::PutRunner(record));
            }
        }
    }

    /// Open, remind or resolve the outage of a runner whose new record is `record`, then settle
    /// it if it was flapping (`flapping`). Returns the record with its new flapping state when
    /// that changed; the caller writes it.
    fn outage_rules(&self, record: &RunnerRecord, plan: &mut Plan) -> Option<RunnerRecord> {
        let open = if self.state.open_outages.is_empty() {
            None
        } else {
            self.state.open_outages.get(&record.name)
        };
        if record.is_healthy() && open.is_none() && !record.is_flapping() {
            return None;
        }
        let unhealthy_for = elapsed(record.since, self.now);
        let told = !record.is_flapping();
        let mut flapped = None;
        // The outage opened by this plan, and whether one is open once it applies (no clone of
        // the stored outage on the steady path).
        let mut opened = None;
        let mut open_after = open.is_some();
        match (record.is_healthy(), open) {
            (false, None) => {
                let threshold = if record.ever_healthy {
                    self.policy.open_after
                } else {
                    self.policy.new_runner_grace
                };
                if unhealthy_for >= threshold {
                    let (outage, next) = self.open(record, plan);
                    opened = Some(outage);
                    open_after = true;
                    flapped = next;
                }
            }
            (false, Some(outage)) if told => self.remind(record, outage, plan),
            (false, Some(_)) => {}
            (true, Some(outage)) => {
                if unhealthy_for >= self.policy.resolve_after {
                    let resolution = Resolution::Recovered(record.status);
                    let at = record.since;
                    self.resolve(outage, snapshot(record), at, resolution, told, plan);
                    open_after = false;
                }
            }
            (true, None) => {}
        }
        let current = flapped.as_ref().unwrap_or(record);
        let Some(settled) = flapping::settled(current, open_after, self.policy, self.now) else {
            return flapped;
        };
        let mut next = current.clone();
        let since = next.flapping_since.take().unwrap_or(self.now);
        // A settled-down runner's opening is told now: it counts towards flapping again and
        // restarts the reminder clock (`remind`).
        next.flap_opens = match settled {
            Settled::Down => vec![self.now],
            Settled::Healthy => Vec::new(),
        };
        match (settled, opened.or_else(|| open.cloned())) {
            (Settled::Down, Some(outage)) => self.notify(
                plan,
                NotificationKind::OutageOpened {
                    runner: snapshot(&next),
                    outage,
                },
            ),
            _ => self.notify(
                plan,
                NotificationKind::RunnerStable {
                    runner: snapshot(&next),
                    since,
                    duration: elapsed(since, self.now),
                },
            ),
        }
        Some(next)
    }

    /// Opens an outage of `record`: told as `outage_opened`, replaced by `runner_flapping` when
    /// this opening makes it flap, held while it flaps. Returns the outage and the record with
    /// its new flapping state, when that changed.
    fn open(&self, record: &RunnerRecord, plan: &mut Plan) -> (Outage, Option<RunnerRecord>) {
        let outage = Outage {
            runner: record.name.clone(),
            id: self.state.next_outage_id(&record.name),
            runner_id: record.id,
            trigger: record.status,
            started_at: record.since,
            resolved_at: None,
            resolution: None,
            description: format!("Runner {} entered {} state", record.name, record.status),
            reminders: 0,
            // The opening tells people; the first reminder is due `remind_every` after it.
            last_reminded_at: Some(self.now),
            acknowledged: None,
        };
        plan.changes.push(Change::OpenOutage(outage.clone()));
        plan.stats.outages_opened += 1;
        let next = match flapping::opening(record, self.policy, self.now) {
            Opening::Told { opens } => {
                self.notify(
                    plan,
                    NotificationKind::OutageOpened {
                        runner: snapshot(record),
                        outage: outage.clone(),
                    },
                );
                (opens != record.flap_opens).then(|| RunnerRecord {
                    flap_opens: opens,
                    ..record.clone()
                })
            }
            Opening::StartsFlapping { outages } => {
                self.notify(
                    plan,
                    NotificationKind::RunnerFlapping {
                        runner: snapshot(record),
                        outage: outage.id,
                        outages,
                        window: self.policy.flap_window,
                        since: self.now,
                    },
                );
                Some(RunnerRecord {
                    flap_opens: Vec::new(),
                    flapping_since: Some(self.now),
                    ..record.clone()
                })
            }
            Opening::Held => None,
        };
        (outage, next)
    }

    fn remind(&self, record: &RunnerRecord, outage: &Outage, plan: &mut Plan) {
        let Some(every) = self.policy.remind_every else {
            return;
        };
        if outage.acknowledged.is_some() {
            return; // someone took it on (`/runner-ack`): no more reminders
        }
        let last = outage.last_reminded_at.unwrap_or(outage.started_at);
        // An opening held while flapping is told when the runner settles down (the newest
        // `flap_opens`): reminders are due `remind_every` after that.
        let told_at = record.flap_opens.last().copied();
        let last = told_at
            .filter(|at| *at >= outage.started_at)
            .map_or(last, |at| at.max(last));
        if elapsed(last, self.now) < every {
            return;
        }
        let mut reminded = outage.clone();
        reminded.reminders += 1;
        reminded.last_reminded_at = Some(self.now);
        plan.changes.push(Change::RecordReminder {
            runner: record.name.clone(),
            id: outage.id,
            at: self.now,
        });
        plan.stats.reminders += 1;
        let down_for = reminded.duration(self.now);
        self.notify(
            plan,
            NotificationKind::OutageReminder {
                runner: snapshot(record),
                outage: reminded,
                down_for,
            },
        );
    }

    fn resolve(
        &self,
        outage: &Outage,
        runner: RunnerSnapshot,
        resolved_at: Timestamp,
        resolution: Resolution,
        told: bool,
        plan: &mut Plan,
    ) {
        let mut resolved = outage.clone();
        resolved.resolved_at = Some(resolved_at.max(outage.started_at));
        resolved.resolution = Some(resolution);
        plan.changes.push(Change::ResolveOutage {
            runner: outage.runner.clone(),
            id: outage.id,
            resolved_at: resolved.resolved_at.unwrap_or(resolved_at),
            resolution,
        });
        plan.stats.outages_resolved += 1;
        if !told {
            // Its opening was held (flapping): its end is not news either.
            return;
        }
        let duration = resolved.duration(self.now);
        self.notify(
            plan,
            NotificationKind::OutageResolved {
                runner,
                outage: resolved,
                duration,
            },
        );
    }

    /// A known runner missing from a listing whose drop was accepted: forgotten now, its open
    /// outage (already announced) resolved as removed.
    fn removed(&self, previous: &RunnerRecord, plan: &mut Plan) {
        debug_assert_eq!(self.absence, Absence::Removed);
        if let Some(outage) = self.state.open_outages.get(&previous.name) {
            let mut last = snapshot(previous);
            last.status = RunnerStatus::Unknown;
            let told = !previous.is_flapping();
            self.resolve(outage, last, self.now, Resolution::Removed, told, plan);
        }
        plan.changes.push(Change::DeleteRunner {
            name: previous.name.clone(),
        });
        plan.stats.runners_forgotten += 1;
    }

    /// A runner in the store but not in the complete listing. Returns whether it was
    /// deregistered (forgotten now, to be reported in the scope's `runners_removed` notice).
    fn absent(&self, previous: &RunnerRecord, plan: &mut Plan) -> bool {
        let open = self.state.open_outages.get(&previous.name);
        if deregistered::is_deregistered(
            previous,
            open,
            self.policy,
            self.state.record.last_success_at,
            self.now,
        ) {
            plan.changes.push(Change::DeleteRunner {
                name: previous.name.clone(),
            });
            plan.stats.runners_forgotten += 1;
            return true;
        }
        let mut record = previous.clone();
        if record.status != RunnerStatus::Unknown {
            if record.is_healthy() {
                record.since = self.now;
            }
            record.status = RunnerStatus::Unknown;
            record.busy = false;
            // It was listed at the previous successful observation, which the heartbeat bounds.
            record.last_seen_at = self
                .state
                .record
                .last_success_at
                .map_or(record.last_seen_at, |at| at.max(record.last_seen_at));
        }

        let gone_for_good =
            previous.ephemeral || elapsed(record.since, self.now) >= self.policy.forget_after;
        if gone_for_good {
            if let Some(outage) = open {
                self.resolve(
                    outage,
                    snapshot(&record),
                    self.now,
                    Resolution::Removed,
                    !previous.is_flapping(),
                    plan,
                );
            }
            plan.changes.push(Change::DeleteRunner {
                name: record.name.clone(),
            });
            plan.stats.runners_forgotten += 1;
            return false;
        }

        // Under `removed_runners = "notice"` a first absence only marks the runner UNKNOWN; the
        // next complete listing without it deregisters it (above), so absence never pages.
        if !deregistered::notice_applies(previous, open, self.policy)
            && let Some(flapped) = self.outage_rules(&record, plan)
        {
            record = flapped;
        }
        if visibly_differs(previous, &record) {
            plan.changes.push(Change::PutRunner(record));
        }
        false
    }
}
