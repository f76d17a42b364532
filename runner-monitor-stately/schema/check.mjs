// Builds the schema with @stately-cloud/schema (the builder `stately schema put` runs) and checks
// what the server checks when version 3 is published on top of the original's version 2:
//
// - the build reports no errors (TypeScript, schema options);
// - every field added since version 2 has `addField`, every new type `addType`;
// - every version-2 field that stops being required has `markFieldAsNotRequired` with a
//   readDefault (none of them had one before), and a changed readDefault has
//   `modifyFieldReadDefault`; no version-2 field is removed or changes type.
//
// It then writes `wire-fields.json`: every type's fields with the wire numbers the server will
// assign (version-2 fields keep theirs, added fields get the next numbers in declaration order)
// and whether the server requires them non-zero. The emulator's schema and the official-client
// test's binding are checked against it. Run: `npm ci && npm run check` (CI: `.ci/run`).
// With `--check` it fails when the committed wire-fields.json is out of date.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "node_modules/@stately-cloud/schema/dist");
// The DSL's own message definitions (not in the package's exports map, so by path).
const { DSLResponseSchema } = await import(join(dist, "dsl/cli_pb.js"));

// Version 2 as the original monitor published it (schema id 3168601782134171): per type, the
// fields in wire-number order with [name, required, readDefault, kind].
const V2 = {
  Label: [["name", true, "", "string"]],
  Repository: [
    ["repoId", true, "", "string"],
    ["owner", true, "", "string"],
    ["name", true, "", "string"],
    ["isActive", false, "", "bool"],
    ["createdAt", false, "", "sint64"],
    ["lastSyncedAt", true, "", "sint64"],
  ],
  Runner: [
    ["runnerId", true, "", "uint64"],
    ["repoId", true, "", "string"],
    ["name", true, "", "string"],
    ["status", true, "", "enum RunnerStatus"],
    ["enabled", false, "", "bool"],
    ["os", true, "", "string"],
    ["labels", true, "", "repeated Label"],
    ["lastSeenAt", true, "", "sint64"],
    ["firstSeenAt", true, "", "sint64"],
    ["createdAt", false, "", "sint64"],
    ["updatedAt", false, "", "sint64"],
  ],
  OutageEvent: [
    ["outageId", false, "", "uint64"],
    ["repoId", true, "", "string"],
    ["runnerId", true, "", "uint64"],
    ["status", true, "", "enum RunnerStatus"],
    ["startedAt", true, "", "sint64"],
    ["resolvedAt", false, "", "sint64"],
    ["description", true, "", "string"],
    ["notificationSent", false, "", "bool"],
    ["createdAt", false, "", "sint64"],
    ["updatedAt", false, "", "sint64"],
    ["runnerName", true, "Unknown", "string"],
  ],
};

const KINDS = {
  INT32_KIND: "int32",
  INT64_KIND: "int64",
  UINT32_KIND: "uint32",
  UINT64_KIND: "uint64",
  SINT32_KIND: "sint32",
  SINT64_KIND: "sint64",
  FIXED32_KIND: "fixed32",
  FIXED64_KIND: "fixed64",
  FLOAT_KIND: "float",
  DOUBLE_KIND: "double",
};

function kindOf(t, enums) {
  switch (t.type.case) {
    case "string":
      return "string";
    case "bool":
      return "bool";
    case "binary":
      return "bytes";
    case "number": {
      // NumberKind's enum names, via the generated descriptor's reflection.
      const name = numberKindName(t.type.value.kind);
      return KINDS[name] ?? `number(${name})`;
    }
    case "list":
      return `repeated ${kindOf(t.type.value.elementType, enums)}`;
    case "referenceByName":
      return enums.has(t.type.value) ? `enum ${t.type.value}` : t.type.value;
    default:
      return `unsupported(${t.type.case})`;
  }
}

let numberKindNames;
function numberKindName(v) {
  return numberKindNames.get(v) ?? String(v);
}

function build() {
  const out = execFileSync(process.execPath, [join(dist, "cli.js"), join(here, "index.ts"), "rm", "2"], {
    cwd: here,
    maxBuffer: 64 << 20,
  });
  return fromBinary(DSLResponseSchema, out);
}

const { NumberKind } = await import(join(dist, "package_pb.js"));
numberKindNames = new Map(
  Object.entries(NumberKind)
    .filter(([k, v]) => typeof v === "number" && isNaN(Number(k)))
    .map(([k, v]) => [v, k.replace(/^NumberKind_/, "")]),
);

const res = build();
const problems = [];
for (const e of res.errors) problems.push(`build: ${e.statelyCode}: ${e.message}`);
if (!res.package) problems.push("build: no schema package in the builder's response");
if (problems.length) fail(problems);

const enums = new Set(res.package.enums.map((e) => e.typeName));
const migration = res.migrations.find((m) => m.fromSchemaVersion === 2);
if (!migration) fail(["no migration from version 2"]);
const actions = new Map(); // type -> [{case, value}]
for (const c of migration.commands) {
  actions.set(c.typeName, [...(actions.get(c.typeName) ?? []), ...c.actions.map((a) => a.action)]);
}
const has = (type, kase, name) =>
  (actions.get(type) ?? []).find((a) => a.case === kase && (name === undefined || a.value.name === name));

const wire = {};
for (const msg of res.package.messages) {
  const v2 = V2[msg.typeName];
  if (!v2 && !has(msg.typeName, "addType")) problems.push(`${msg.typeName}: new type without addType`);
  const v2Names = new Set((v2 ?? []).map((f) => f[0]));
  let next = (v2 ?? []).length + 1;
  const fields = [];
  for (const f of msg.fields) {
    const kind = kindOf(f.fieldType, enums);
    const old = (v2 ?? []).findIndex((o) => o[0] === f.fieldName);
    let number;
    if (old >= 0) {
      number = old + 1;
      const [, wasRequired, oldDefault, oldKind] = v2[old];
      if (oldKind !== kind) problems.push(`${msg.typeName}.${f.fieldName}: type ${oldKind} -> ${kind}`);
      if (wasRequired && !f.requireNonZero) {
        const a = has(msg.typeName, "markFieldAsNotRequired", f.fieldName);
        if (!a) problems.push(`${msg.typeName}.${f.fieldName}: no longer required without markFieldAsNotRequired`);
        else if (!oldDefault && !a.value.readDefault)
          problems.push(`${msg.typeName}.${f.fieldName}: markFieldAsNotRequired needs a readDefault`);
      }
      if (!wasRequired && f.requireNonZero && !has(msg.typeName, "markFieldAsRequired", f.fieldName))
        problems.push(`${msg.typeName}.${f.fieldName}: now required without markFieldAsRequired`);
      if (oldDefault !== f.readDefault && !has(msg.typeName, "modifyFieldReadDefault", f.fieldName))
        problems.push(
          `${msg.typeName}.${f.fieldName}: readDefault ${JSON.stringify(oldDefault)} -> ${JSON.stringify(f.readDefault)} without modifyFieldReadDefault`,
        );
    } else {
      number = next++;
      if (v2 && !has(msg.typeName, "addField", f.fieldName))
        problems.push(`${msg.typeName}.${f.fieldName}: new field without addField`);
    }
    fields.push({ number, name: f.fieldName, kind, required: f.requireNonZero, readDefault: f.readDefault });
  }
  for (const name of v2Names) {
    if (!msg.fields.some((f) => f.fieldName === name) && !has(msg.typeName, "removeField", name))
      problems.push(`${msg.typeName}.${name}: removed without removeField`);
  }
  fields.sort((a, b) => a.number - b.number);
  const keyPaths = msg.itemTypeOptions?.keyPaths.map((k) => k.pathTemplate) ?? [];
  wire[msg.typeName] = { keyPaths, fields };
}
for (const type of Object.keys(V2)) if (!wire[type]) problems.push(`${type}: removed`);

// The `// #N` comments in items.ts are the numbers the Rust codecs use: they must be the server's.
const src = readFileSync(join(here, "items.ts"), "utf8");
let current;
for (const line of src.split("\n")) {
  const t = line.match(/^export const \w+ = (?:itemType|objectType)\("(\w+)"/);
  if (t) current = t[1];
  const f = line.match(/^\s+(\w+): \{.*\/\/ #(\d+)\s*$/);
  if (f && current) {
    const field = wire[current]?.fields.find((x) => x.name === f[1]);
    if (!field) problems.push(`items.ts: ${current}.${f[1]} not in the built schema`);
    else if (field.number !== Number(f[2]))
      problems.push(`items.ts: ${current}.${f[1]} is #${f[2]} but the server assigns #${field.number}`);
  }
}
if (problems.length) fail(problems);

const json = JSON.stringify({ schemaId: "3168601782134171", version: 3, types: wire }, null, 2) + "\n";
const path = join(here, "wire-fields.json");
if (process.argv.includes("--check")) {
  if (readFileSync(path, "utf8") !== json) fail(["wire-fields.json is out of date: run `npm run check` and commit it"]);
} else {
  writeFileSync(path, json);
}
const count = Object.values(wire).reduce((n, t) => n + t.fields.length, 0);
console.log(
  `schema OK: built with @stately-cloud/schema ${res.dslVersion}, ${Object.keys(wire).length} types, ${count} fields, migration from version 2 complete`,
);

function fail(lines) {
  for (const l of lines) console.error(`schema check: ${l}`);
  process.exit(1);
}
