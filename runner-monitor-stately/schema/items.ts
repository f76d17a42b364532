// runner-monitor's StatelyDB schema, version 3: the original TypeScript monitor's item types
// (version 2, schema id 3168601782134171) with this project's fields and item types appended.
// Field numbers (`// #N`) are the wire contract shared with the Rust client (src/items/) and the
// emulator (src/emulator/); see ITEMS.md. StatelyDB assigns them: the version-2 fields keep the
// numbers the original store already has, and fields added by the migration (migrations.ts) get
// the next ones, in the order they are declared here. Fields are declared in number order; never
// reorder, remove or renumber them. Check the numbers after publishing (see README.md).

import {
  arrayOf,
  bool,
  enumType,
  itemType,
  objectType,
  string,
  timestampMilliseconds,
  uint,
  uint32,
} from "@stately-cloud/schema";

/** A runner's status, numbered as the original (0 is "unspecified"). */
export const RunnerStatus = enumType("RunnerStatus", {
  ONLINE: 1,
  OFFLINE: 2,
  BUSY: 3,
  UNKNOWN: 4,
  IDLE: 5,
});

/** A runner label. */
export const Label = objectType("Label", {
  fields: {
    name: { type: string }, // #1
  },
});

/** A scope (repository, organization or enterprise): its version and source health. */
export const Repository = itemType("Repository", {
  keyPath: "/repo-:repoId",
  fields: {
    /** Canonical scope id: `owner/name`, `org:acme`, `enterprise:slug`. */
    repoId: { type: string }, // #1
    owner: { type: string }, // #2
    /** The repository name; "" for organizations and enterprises. */
    name: { type: string, required: false }, // #3
    isActive: { type: bool, required: false }, // #4
    createdAt: { type: timestampMilliseconds, fromMetadata: "createdAtTime" }, // #5
    /** Last successful observation (the heartbeat). */
    lastSyncedAt: { type: timestampMilliseconds, required: false }, // #6
    // --- version 3 ---
    /** Scope version for optimistic commits; every commit increases it. */
    version: { type: uint, required: false }, // #7
    failingSince: { type: timestampMilliseconds, required: false }, // #8
    lastFailureClass: { type: string, required: false }, // #9
    lastFailureMessage: { type: string, required: false }, // #10
    degradedIncidentId: { type: uint, required: false }, // #11
    degradedSince: { type: timestampMilliseconds, required: false }, // #12
    degradedFailureClass: { type: string, required: false }, // #13
    degradedFailureMessage: { type: string, required: false }, // #14
    lastIncidentId: { type: uint, required: false }, // #15
    historyExpiredAt: { type: timestampMilliseconds, required: false }, // #16
    /** "repo", "org" or "enterprise". */
    scopeKind: { type: string, required: false }, // #17
    /** Since when complete listings have been suspect (lost most known runners at once). */
    suspectSince: { type: timestampMilliseconds, required: false }, // #18
    /** A clock jump waiting for a second observation to confirm it. */
    clockJumpAt: { type: timestampMilliseconds, required: false }, // #19
  },
});

/** A self-hosted runner; identity is its name within the scope. */
export const Runner = itemType("Runner", {
  keyPath: "/repo-:repoId/runner-:name",
  fields: {
    /** Current GitHub id (changes when the runner is re-registered). */
    runnerId: { type: uint }, // #1
    repoId: { type: string }, // #2
    name: { type: string }, // #3
    status: { type: RunnerStatus }, // #4
    enabled: { type: bool, required: false }, // #5
    os: { type: string, required: false }, // #6
    labels: { type: arrayOf(Label), required: false }, // #7
    lastSeenAt: { type: timestampMilliseconds, required: false }, // #8
    firstSeenAt: { type: timestampMilliseconds, required: false }, // #9
    createdAt: { type: timestampMilliseconds, fromMetadata: "createdAtTime" }, // #10
    updatedAt: { type: timestampMilliseconds, fromMetadata: "lastModifiedAtTime" }, // #11
    // --- version 3 ---
    busy: { type: bool, required: false }, // #12
    ephemeral: { type: bool, required: false }, // #13
    runnerGroupId: { type: uint, required: false }, // #14
    /** Earlier GitHub ids, oldest first. */
    previousIds: { type: arrayOf(uint), required: false }, // #15
    /** In the current health state since. */
    since: { type: timestampMilliseconds, required: false }, // #16
    everHealthy: { type: bool, required: false }, // #17
    /** Flapping rule: when recent outages opened (within flap_window), oldest first. */
    flapOpens: { type: arrayOf(timestampMilliseconds), required: false }, // #18
    /** Flapping since (its outages recorded, not told); 0 when not flapping. */
    flappingSince: { type: timestampMilliseconds, required: false }, // #19
  },
});

/**
 * One outage of one runner. `outageId` is the server's sequence within `history-:runnerId` (as in
 * the original); the per-runner-name contiguous id runner-monitor reports is `number`.
 *
 * Version 3 expires items at `expiresAt`: never (9999-12-31) while the outage is ongoing,
 * `resolvedAt` + the history TTL once resolved. Version 2 used `fromCreated` 30 days, which also
 * deleted outages that were still ongoing after 30 days.
 */
export const OutageEvent = itemType("OutageEvent", {
  keyPath: "/repo-:repoId/history-:runnerId/outage-:outageId",
  ttl: { source: "atTimestamp", field: "expiresAt" },
  fields: {
    outageId: { type: uint, initialValue: "sequence" }, // #1
    repoId: { type: string }, // #2
    /** The runner's GitHub id when the outage opened. */
    runnerId: { type: uint }, // #3
    /** The status that opened it. */
    status: { type: RunnerStatus }, // #4
    startedAt: { type: timestampMilliseconds }, // #5
    /** 0 while ongoing. */
    resolvedAt: { type: timestampMilliseconds, required: false }, // #6
    description: { type: string, required: false }, // #7
    notificationSent: { type: bool, required: false }, // #8
    createdAt: { type: timestampMilliseconds, fromMetadata: "createdAtTime" }, // #9
    updatedAt: { type: timestampMilliseconds, fromMetadata: "lastModifiedAtTime" }, // #10
    /** The original declared `readDefault: "Unknown"` (items written before version 2); kept unchanged. */
    runnerName: { type: string, readDefault: "Unknown" }, // #11
    // --- version 3 ---
    /** "", "recovered" or "removed". */
    resolution: { type: string, required: false }, // #12
    resolvedStatus: { type: RunnerStatus, required: false }, // #13
    reminders: { type: uint32, required: false }, // #14
    lastRemindedAt: { type: timestampMilliseconds, required: false }, // #15
    expiresAt: { type: timestampMilliseconds, required: false }, // #16
    /** Contiguous per runner name from 1; 0 in the original's items (read `outageId` then). */
    number: { type: uint, required: false }, // #17
    /** Who acknowledged the open outage (`/runner-ack`); "" when nobody did. */
    acknowledgedBy: { type: string, required: false }, // #18
    /** When it was acknowledged; 0 when nobody did. */
    acknowledgedAt: { type: timestampMilliseconds, required: false }, // #19
  },
});

/** The last outage id of a runner name; survives forgetting the runner and history expiry. */
export const OutageCounter = itemType("OutageCounter", {
  keyPath: "/repo-:repoId/counter-:runnerName",
  fields: {
    repoId: { type: string }, // #1
    runnerName: { type: string }, // #2
    lastOutageId: { type: uint }, // #3
    /** GitHub ids whose `history-:runnerId` holds this name's outages, oldest first. */
    runnerIds: { type: arrayOf(uint), required: false }, // #4
  },
});

/** The outbox: one notification to one sink, written atomically with the change behind it. */
export const Delivery = itemType("Delivery", {
  keyPath: "/repo-:repoId/delivery-:seq",
  ttl: { source: "atTimestamp", field: "expiresAt" },
  fields: {
    repoId: { type: string }, // #1
    seq: { type: uint, initialValue: "sequence" }, // #2
    sink: { type: string }, // #3
    /** The notification as JSON. */
    notification: { type: string }, // #4
    /** The notification's time (not metadata). */
    createdAt: { type: timestampMilliseconds }, // #5
    attempts: { type: uint32, required: false }, // #6
    nextAttemptAt: { type: timestampMilliseconds, required: false }, // #7
    lastError: { type: string, required: false }, // #8
    /** 0 while pending. */
    settledAt: { type: timestampMilliseconds, required: false }, // #9
    /** Never while pending; settled deliveries expire after the history TTL. */
    expiresAt: { type: timestampMilliseconds, required: false }, // #10
    /** The dispatcher holding a claim on it ("" = unclaimed). */
    claimHolder: { type: string, required: false }, // #11
    /** When that claim expires (0 = unclaimed). */
    claimUntil: { type: timestampMilliseconds, required: false }, // #12
  },
});

/** Finds scope groups with one list (a List needs a full group key). */
export const ScopeIndex = itemType("ScopeIndex", {
  keyPath: "/index-:indexId/scope-:repoId",
  fields: {
    indexId: { type: string }, // #1
    repoId: { type: string }, // #2
    /** Deliveries pending in that scope as of its last write (a hint for the dispatcher). */
    pendingDeliveries: { type: uint, required: false }, // #3
  },
});

/** What a sink remembers about a message it sent (grouping; Slack bot mode). One group per sink;
 * deleted once every member it holds open is resolved. */
export const Receipt = itemType("Receipt", {
  keyPath: "/receipts-:sink/receipt-:key",
  fields: {
    sink: { type: string }, // #1
    key: { type: string }, // #2
    /** Incident keys of the members still open, sorted. */
    open: { type: arrayOf(string), required: false }, // #3
    /** The sink's handle (PagerDuty: dedup_key; Slack bot mode: channel and ts). */
    handle: { type: string, required: false }, // #4
    sentAt: { type: timestampMilliseconds, required: false }, // #5
  },
});

/**
 * A runtime silence (`/runner-silence`), one per id, beside the scope index. `body` is the
 * silence as JSON (runner-monitor's `SilenceSpec`); a one-off silence expires 7 days after its
 * end, a weekly one never (0).
 */
export const Silence = itemType("Silence", {
  keyPath: "/index-:indexId/silence-:silenceId",
  ttl: { source: "atTimestamp", field: "expiresAt" },
  fields: {
    indexId: { type: string }, // #1
    silenceId: { type: string }, // #2
    body: { type: string }, // #3
    expiresAt: { type: timestampMilliseconds, required: false }, // #4
  },
});
