// Drives a StatelyDB endpoint (the emulator, from tests/official_client.rs) with the official
// @stately-cloud/client. Usage: node run.mjs <phase> <endpoint> <storeId>
//   checks: put/get/delete, key escaping, lists with limit + continuation, descending sort,
//           sequences, transactions (read-modify-commit, generated ids, ConcurrentModification)
//   seed:   writes scope acme/api with only the fields the original monitor wrote (an OFFLINE
//           runner "mbp", GitHub id 23, one resolved and one open outage from the server's sequence)
//   verify: reads back what the Rust StatelyStore wrote after taking that scope over
//   seed-original: writes what the original monitor (StatelyCloud/action-runner-monitor,
//           src/probe.ts + src/stately.ts) wrote for repositories ["acme/api"] and organizations
//           ["acme"]: groups keyed by repository name (`/repo-api`), every item's repoId = "api",
//           the org's runners inside the repository's group, schema version 2, outages from the
//           server's sequence under `history-<GitHub id>`, exactly the fields it sets
//   verify-original: reads the store the way the original's Slack commands (src/slack.ts) and
//           probe read it, after the Rust daemon machinery took it over in the original layout
// Any failed expectation exits non-zero with a message.
import { createClient, keyPath, nodeTransport, SortDirection, StatelyError } from "@stately-cloud/client/node";
import { RunnerStatus, SCHEMA_ID, SCHEMA_VERSION, typeMap } from "./binding.mjs";

const [phase, endpoint, storeId] = process.argv.slice(2);
const client = createClient({
  storeId: BigInt(storeId),
  itemTypeMap: typeMap,
  schemaVersionID: SCHEMA_VERSION,
  schemaID: SCHEMA_ID,
  clientFactory: nodeTransport({ endpoint, noAuth: true }),
});

// The original wrote with schema version 2 (its published version).
const original = createClient({
  storeId: BigInt(storeId),
  itemTypeMap: typeMap,
  schemaVersionID: 2,
  schemaID: SCHEMA_ID,
  clientFactory: nodeTransport({ endpoint, noAuth: true }),
});

function expect(cond, what) {
  if (!cond) throw new Error(`expectation failed: ${what}`);
}
async function collect(list) {
  const items = [];
  for await (const item of list) items.push(item);
  return { items, token: list.token };
}
const runner = (repoId, name, id, status = RunnerStatus.IDLE) =>
  client.create("Runner", {
    runnerId: BigInt(id),
    repoId,
    name,
    status,
    enabled: true,
    os: "linux",
    labels: [client.create("Label", { name: "self-hosted" })],
    lastSeenAt: BigInt(Date.now()),
    firstSeenAt: BigInt(Date.now()),
  });

async function checks() {
  // put / get / delete with ids that need escaping ("/" and "%")
  const repo = "own/er%x";
  const put = await client.put(runner(repo, "a/b%c", 1));
  expect(put.createdAt > 0n, "createdAt filled by the server");
  const key = keyPath`/repo-${repo}/runner-${"a/b%c"}`;
  expect(key === "/repo-own%/er%%x/runner-a%/b%%c", `keyPath escaping: ${key}`);
  const got = await client.get("Runner", key);
  expect(got && got.name === "a/b%c" && got.runnerId === 1n, "get returns the item");
  await client.del(key);
  expect((await client.get("Runner", key)) === undefined, "deleted");

  // lists: 25 runners, pages of 10 with continuation, in key order
  const names = Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, "0")}`);
  await client.putBatch(...names.map((n, i) => runner("list", n, i + 1)));
  let page = await collect(client.beginList("/repo-list/runner-", { limit: 10 }));
  const seen = [...page.items];
  let pages = 1;
  while (page.token.canContinue) {
    page = await collect(client.continueList(page.token.tokenData));
    seen.push(...page.items);
    pages++;
  }
  expect(seen.map((r) => r.name).join() === names.join(), `list order: ${seen.map((r) => r.name)}`);
  expect(pages >= 3, `continued across pages (${pages})`);
  const last = await collect(client.beginList("/repo-list/runner-", { limit: 1, sortDirection: SortDirection.SORT_DESCENDING }));
  expect(last.items.length === 1 && last.items[0].name === "r24", "descending limit 1 gives the last");

  // sequences: outageId 0 -> the server picks 1, 2, 3 under the parent
  const outage = (runnerId) =>
    client.create("OutageEvent", {
      repoId: "seq",
      runnerId: BigInt(runnerId),
      runnerName: "x",
      status: RunnerStatus.OFFLINE,
      startedAt: BigInt(Date.now()),
      description: "Runner x entered Offline state",
    });
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await client.put(outage(5))).outageId);
  expect(ids.join() === "1,2,3", `sequence ids ${ids}`);

  // transactions: read-modify-commit, generated ids
  const res = await client.transaction(async (txn) => {
    const r = await txn.get("Runner", "/repo-list/runner-r00");
    r.os = "macos";
    await txn.put(r);
    const id = await txn.put(outage(5));
    expect(id === 4n, `generated id in a transaction: ${id}`);
  });
  expect(res.committed && res.puts.length === 2, "transaction committed");
  expect((await client.get("Runner", "/repo-list/runner-r00")).os === "macos", "modified");

  // ConcurrentModification: someone writes what the transaction read before it commits
  let error;
  try {
    await client.transaction(async (txn) => {
      const r = await txn.get("Runner", "/repo-list/runner-r01");
      await client.put(runner("list", "r01", 99));
      r.os = "lost";
      await txn.put(r);
    });
  } catch (e) {
    error = e;
  }
  expect(error instanceof StatelyError && error.statelyCode === "ConcurrentModification", `conflict: ${error}`);
  expect((await client.get("Runner", "/repo-list/runner-r01")).runnerId === 99n, "the other write stands");
}

async function seed() {
  const repoId = "acme/api";
  await client.put(client.create("Repository", { repoId, owner: "acme", name: "api", isActive: true, lastSyncedAt: BigInt(Date.now()) }));
  await client.put(runner(repoId, "mbp", 23, RunnerStatus.OFFLINE));
  const open = (resolvedAt) =>
    client.create("OutageEvent", {
      repoId,
      runnerId: 23n,
      runnerName: "mbp",
      status: RunnerStatus.OFFLINE,
      startedAt: BigInt(Date.now() - 60_000),
      resolvedAt,
      description: "Runner mbp entered Offline state",
      notificationSent: true,
    });
  expect((await client.put(open(BigInt(Date.now() - 30_000)))).outageId === 1n, "first outage id 1");
  expect((await client.put(open(0n))).outageId === 2n, "open outage id 2");
}

async function verify() {
  const { items } = await collect(
    client.beginList(keyPath`/repo-${"acme/api"}/history-${23n}/outage-`, { sortDirection: SortDirection.SORT_DESCENDING }),
  );
  const outages = items.filter((i) => client.isType(i, "OutageEvent"));
  expect(outages.map((o) => o.outageId).join() === "3,2,1", `outage ids ${outages.map((o) => o.outageId)}`);
  expect(outages[1].resolvedAt > 0n, "the original's open outage is resolved");
  expect(outages[0].resolvedAt === 0n && outages[0].number === 3n, "the new outage continues the ids");
  const r = await client.get("Runner", keyPath`/repo-${"acme/api"}/runner-${"mbp"}`);
  expect(r && r.status === RunnerStatus.OFFLINE && r.runnerId === 23n, "runner as Rust wrote it");
}

// src/probe.ts, field for field: `const [owner, name] = repo.split("/"); const repoId = name;`
async function seedOriginal() {
  const repo = "acme/api";
  const [owner, name] = repo.split("/");
  const repoId = name;
  const now = Date.now();
  await original.put(original.create("Repository", { repoId, owner, name, isActive: true, lastSyncedAt: BigInt(now) }));
  // Runners: the repository's listing (empty: the team uses organization runners) merged with
  // the organization's, so all three live in /repo-api.
  const githubRunner = (id, runnerName, status, firstSeen) =>
    original.create("Runner", {
      runnerId: BigInt(id),
      repoId,
      name: runnerName,
      status,
      enabled: true,
      os: "Linux",
      labels: [original.create("Label", { name: "self-hosted" }), original.create("Label", { name: "Linux" })],
      lastSeenAt: BigInt(now - 300_000),
      firstSeenAt: BigInt(firstSeen),
    });
  await original.put(githubRunner(23, "mbp", RunnerStatus.OFFLINE, now - 86_400_000));
  await original.put(githubRunner(24, "lnx", RunnerStatus.IDLE, now - 86_400_000));
  await original.put(githubRunner(31, "org-1", RunnerStatus.BUSY, now - 3_600_000));
  // handleUnhealthyRunner: create with outageId from the sequence, then notificationSent = true.
  const outage = async (startedAt) => {
    const o = await original.put(
      original.create("OutageEvent", {
        repoId,
        runnerId: 23n,
        runnerName: "mbp",
        status: RunnerStatus.OFFLINE,
        startedAt: BigInt(startedAt),
        description: "Runner mbp entered Offline state",
        notificationSent: false,
      }),
    );
    o.notificationSent = true;
    return original.put(o);
  };
  const first = await outage(now - 7_200_000);
  expect(first.outageId === 1n, `first outage id ${first.outageId}`);
  // resolveOutage: the newest outage under history-<id>, resolvedAt set.
  for await (const item of original.beginList(`/repo-${repoId}/history-23/outage-`, { limit: 1, sortDirection: SortDirection.SORT_DESCENDING })) {
    if (original.isType(item, "OutageEvent") && !item.resolvedAt) {
      item.resolvedAt = BigInt(now - 3_600_000);
      await original.put(item);
    }
  }
  const open = await outage(now - 600_000);
  expect(open.outageId === 2n && open.resolvedAt === 0n, `open outage ${open.outageId}`);
}

// src/slack.ts (repoId = the repository name) and src/probe.ts's reads.
async function verifyOriginal() {
  const repoId = "api";
  // /runner-history mbp: get the runner, then its last 5 outages newest first.
  const mbp = await original.get("Runner", keyPath`/repo-${repoId}/runner-${"mbp"}`);
  expect(mbp && mbp.runnerId === 23n && mbp.status === RunnerStatus.OFFLINE, `runner mbp ${mbp?.status}`);
  expect(mbp.lastSeenAt > 0n && mbp.firstSeenAt > 0n && mbp.repoId === repoId, "mbp's fields as the original reads them");
  const { items } = await collect(
    original.beginList(keyPath`/repo-${repoId}/history-${mbp.runnerId}/outage-`, { limit: 5, sortDirection: SortDirection.SORT_DESCENDING }),
  );
  const outages = items.filter((i) => original.isType(i, "OutageEvent"));
  expect(outages.map((o) => o.outageId).join() === "3,2,1", `outage ids ${outages.map((o) => o.outageId)}`);
  const [third, second, first] = outages;
  expect(first.resolvedAt > 0n && second.resolvedAt > 0n, "the original's open outage is resolved");
  expect(second.resolvedAt > second.startedAt, "resolved after it started");
  expect(third.resolvedAt === 0n && third.startedAt > 0n && third.status === RunnerStatus.OFFLINE, "outage 3 ongoing");
  expect(third.repoId === repoId && third.runnerId === 23n && third.runnerName === "mbp", "outage 3 keyed as the original");
  expect(third.description.length > 0, "outage 3 has a description");
  // The resolve path of probe.ts: newest outage first, limit 1, open -> it would resolve #3.
  const newest = await collect(original.beginList(`/repo-${repoId}/history-23/outage-`, { limit: 1, sortDirection: SortDirection.SORT_DESCENDING }));
  expect(newest.items.length === 1 && newest.items[0].outageId === 3n, "the newest outage is the open one");
  // /runner-status-all: every Runner in the group, the org's included.
  const runners = (await collect(original.beginList(keyPath`/repo-${repoId}/runner-`))).items.filter((i) => original.isType(i, "Runner"));
  expect(runners.map((r) => r.name).join() === "lnx,mbp,org-1", `runners ${runners.map((r) => r.name)}`);
  for (const r of runners) {
    expect(r.repoId === repoId && r.lastSeenAt > 0n && r.firstSeenAt > 0n && r.status > 0, `runner ${r.name} readable`);
  }
  const org1 = runners.find((r) => r.name === "org-1");
  expect(org1.status === RunnerStatus.IDLE && org1.runnerId === 31n, `org runner written where the original keeps it: ${org1.status}`);
  const repository = await original.get("Repository", "/repo-api");
  expect(repository && repository.owner === "acme" && repository.name === "api" && repository.repoId === "api", "Repository as the original keys it");
  // Nothing went to this project's own layout.
  const v3 = await collect(original.beginList(keyPath`/repo-${"acme/api"}`));
  expect(v3.items.length === 0, `no items under /repo-acme%/api: ${v3.items.length}`);
}

try {
  await { checks, seed, verify, "seed-original": seedOriginal, "verify-original": verifyOriginal }[phase]();
  console.log(`official client: ${phase} ok`);
} catch (e) {
  console.error(`official client: ${phase} failed: ${e?.stack ?? e}`);
  process.exit(1);
}
