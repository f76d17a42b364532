// The typed binding the official client needs (what `stately schema generate --language ts`
// produces: one protobuf message per item/object type), built at load time from
// ../../schema/wire-fields.json, which `npm run check` there derives from the schema the
// @stately-cloud/schema package builds (field numbers as the server assigns them).
import { create } from "@bufbuild/protobuf";
import { createFileRegistry } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { readFileSync } from "node:fs";

const wire = JSON.parse(readFileSync(new URL("../../schema/wire-fields.json", import.meta.url), "utf8"));
const PKG = "stately.generated";
const T = FieldDescriptorProto_Type;
const SCALARS = {
  string: T.STRING,
  bool: T.BOOL,
  bytes: T.BYTES,
  uint64: T.UINT64,
  uint32: T.UINT32,
  sint64: T.SINT64,
  sint32: T.SINT32,
  int64: T.INT64,
  int32: T.INT32,
  double: T.DOUBLE,
  float: T.FLOAT,
};

function field(f) {
  let kind = f.kind;
  const repeated = kind.startsWith("repeated ");
  if (repeated) kind = kind.slice("repeated ".length);
  const d = {
    name: f.name,
    jsonName: f.name,
    number: f.number,
    label: repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL,
  };
  if (SCALARS[kind] !== undefined) d.type = SCALARS[kind];
  else if (kind.startsWith("enum ")) Object.assign(d, { type: T.ENUM, typeName: `.${PKG}.${kind.slice(5)}` });
  else Object.assign(d, { type: T.MESSAGE, typeName: `.${PKG}.${kind}` });
  return d;
}

const file = create(FileDescriptorProtoSchema, {
  name: "runner_monitor.proto",
  package: PKG,
  syntax: "proto3",
  enumType: [
    {
      name: "RunnerStatus",
      value: ["UNSPECIFIED", "ONLINE", "OFFLINE", "BUSY", "UNKNOWN", "IDLE"].map((n, number) => ({
        name: `RunnerStatus_${n}`,
        number,
      })),
    },
  ],
  messageType: Object.entries(wire.types).map(([name, t]) => ({ name, field: t.fields.map(field) })),
});
const registry = createFileRegistry(file, () => undefined);

/** Item and object type name -> message descriptor (the js-sdk's `itemTypeMap`). */
export const typeMap = Object.fromEntries(
  Object.keys(wire.types).map((name) => [name, registry.getMessage(`${PKG}.${name}`)]),
);
export const SCHEMA_ID = BigInt(wire.schemaId);
export const SCHEMA_VERSION = wire.version;
export const RunnerStatus = { ONLINE: 1, OFFLINE: 2, BUSY: 3, UNKNOWN: 4, IDLE: 5 };
