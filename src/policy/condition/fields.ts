import type { KeyRecord } from "../../inventory/types.js";
import type { DateField } from "../time.js";

export type FieldValue = string | boolean | null;

type FieldSpec =
  | { type: "text"; read: (key: KeyRecord) => string | null }
  | { type: "enum"; values: readonly string[]; read: (key: KeyRecord) => string | null }
  | { type: "boolean"; read: (key: KeyRecord) => boolean | null }
  | { type: "date"; date: DateField; read: (key: KeyRecord) => string | null };

/** Every KeyRecord field a `match` condition can name, by dotted path, and how to read it. */
export const FIELDS = {
  kind: { type: "enum", values: ["admin", "project"], read: (key) => key.kind },
  id: { type: "text", read: (key) => key.id },
  name: { type: "text", read: (key) => key.name },
  redacted_value: { type: "text", read: (key) => key.redacted_value },
  created_at: { type: "date", date: "created_at", read: (key) => key.created_at },
  last_used_at: { type: "date", date: "last_used_at", read: (key) => key.last_used_at },
  expires_at: { type: "date", date: "expires_at", read: (key) => key.expires_at },
  "project.id": { type: "text", read: (key) => key.project?.id ?? null },
  "project.name": { type: "text", read: (key) => key.project?.name ?? null },
  "project.archived": { type: "boolean", read: (key) => key.project?.archived ?? null },
  "owner.type": { type: "enum", values: ["user", "service_account"], read: (key) => key.owner.type },
  "owner.id": { type: "text", read: (key) => key.owner.id },
  "owner.name": { type: "text", read: (key) => key.owner.name },
  "owner.email": { type: "text", read: (key) => key.owner.email },
  "owner.role": { type: "text", read: (key) => key.owner.role },
  owner_access: { type: "enum", values: ["active", "inactive"], read: (key) => key.owner_access },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as [FieldName, ...FieldName[]];

export function fieldSpec(name: FieldName): FieldSpec {
  return FIELDS[name];
}
