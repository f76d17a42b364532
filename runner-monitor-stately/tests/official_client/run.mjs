// Drives a StatelyDB endpoint (the emulator, from tests/official_client.rs) with the official
// @stately-cloud/client. Usage: node run.mjs <phase> <endpoint> <storeId>
//   checks: put/get/delete, key escaping, lists with limit + continuation, descending sort,
//           sequences, transactions (read-modify-commit, generated ids, ConcurrentModification)
//   seed:   writes scope acme/api with only the fields the original monitor wrote (an OFFLINE
//           runner "mbp", GitHub id 23, one resolved and one open outage from the server's sequence)
//   verify: reads back what the Rust StatelyStore wrote after taking that scope over
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

try {
  await { checks, seed, verify }[phase]();
  console.log(`official client: ${phase} ok`);
} catch (e) {
  console.error(`official client: ${phase} failed: ${e?.stack ?? e}`);
  process.exit(1);
}
