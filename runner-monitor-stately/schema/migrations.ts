// Migration from the original monitor's schema (version 2) to runner-monitor's (version 3).
// Every version-2 field keeps its number and meaning, so the original monitor and runner-monitor
// can read and write the same store during a migration. Each change to a version-2 field has the
// command the schema package requires for it (`node check.mjs` verifies this against version 2):
// fields that stop being required get `markFieldAsNotRequired` with the value a version-2 reader
// (the original monitor) sees when runner-monitor leaves the field empty; `runnerName` keeps its
// version-2 `readDefault` ("Unknown"), so it needs no `modifyFieldReadDefault`.

import { migrate } from "@stately-cloud/schema";

export const RunnerMonitorV3 = migrate(
  2,
  "runner-monitor: scope versions, source health, runner history ids, outage resolution and TTL, outbox, scope index",
  (m) => {
    m.changeType("Repository", (t) => {
      // Organization and enterprise scopes have no repository name.
      t.markFieldAsNotRequired("name", "unknown");
      // 0 until the first successful observation.
      t.markFieldAsNotRequired("lastSyncedAt", 1n);
      t.addField("version");
      t.addField("failingSince");
      t.addField("lastFailureClass");
      t.addField("lastFailureMessage");
      t.addField("degradedIncidentId");
      t.addField("degradedSince");
      t.addField("degradedFailureClass");
      t.addField("degradedFailureMessage");
      t.addField("lastIncidentId");
      t.addField("historyExpiredAt");
      t.addField("scopeKind");
      t.addField("suspectSince");
      t.addField("clockJumpAt");
    });
    m.changeType("Runner", (t) => {
      // GitHub may report no OS or no labels; timestamps may be unknown for migrated runners.
      t.markFieldAsNotRequired("os", "unknown");
      t.markFieldAsNotRequired("labels", [{ name: "self-hosted" }]);
      t.markFieldAsNotRequired("lastSeenAt", 1n);
      t.markFieldAsNotRequired("firstSeenAt", 1n);
      t.addField("busy");
      t.addField("ephemeral");
      t.addField("runnerGroupId");
      t.addField("previousIds");
      t.addField("since");
      t.addField("everHealthy");
      t.addField("flapOpens");
      t.addField("flappingSince");
    });
    // The TTL of OutageEvent changes from `fromCreated` 30 days to `atTimestamp` on the new
    // `expiresAt` field. There is no migration command for a TTL: it is part of the item type
    // and takes effect with this version. Why: `fromCreated` deleted an outage 30 days after it
    // opened even while the runner was still down, losing the open outage (and its alert
    // state). With `atTimestamp`, runner-monitor writes "never" (9999-12-31T23:59:59.999Z)
    // while an outage is ongoing and `resolvedAt` + the history TTL (default 30 days, as
    // before) once it is resolved. Items written under version 2 keep the expiry they were
    // written with until they are written again (runner-monitor rewrites an outage when it
    // resolves it or counts a reminder).
    m.changeType("OutageEvent", (t) => {
      // runner-monitor renders its own messages; the description is informative only.
      t.markFieldAsNotRequired("description", "Runner outage");
      t.addField("resolution");
      t.addField("resolvedStatus");
      t.addField("reminders");
      t.addField("lastRemindedAt");
      t.addField("expiresAt");
      t.addField("number");
      t.addField("acknowledgedBy");
      t.addField("acknowledgedAt");
    });
    m.addType("OutageCounter");
    m.addType("Delivery");
    m.addType("ScopeIndex");
    m.addType("Receipt");
    m.addType("Silence");
  },
);
