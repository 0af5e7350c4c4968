import { PROVIDER_NAMES } from "../../config-accounts.js";
import type { KeyRecord } from "../../model/inventory.js";
import { KEY_STATUSES, keyAccount, keyProvider, keyStatus } from "../../model/key-facts.js";
import type { DateField } from "../time.js";

export type FieldValue = string | number | boolean | null;

type FieldSpec =
  | { type: "text"; read: (key: KeyRecord) => string | null }
  | { type: "enum"; values: readonly string[]; read: (key: KeyRecord) => string | null }
  | { type: "boolean"; read: (key: KeyRecord) => boolean | null }
  | { type: "number"; read: (key: KeyRecord) => number | null }
  | { type: "date"; date: DateField; read: (key: KeyRecord) => string | null };

/** Every KeyRecord field a `match` condition can name, by dotted path, and how to read it. */
export const FIELDS = {
  provider: { type: "enum", values: PROVIDER_NAMES, read: (key) => keyProvider(key) },
  account: { type: "text", read: (key) => keyAccount(key) },
  // OpenAI lists live keys only: theirs is `active`. A condition on status also sees keys that are not active.
  status: { type: "enum", values: KEY_STATUSES, read: (key) => keyStatus(key) },
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
  // The Anthropic workspace: the project of an Anthropic key; null for OpenAI keys and organization-scoped ones.
  "workspace.id": { type: "text", read: (key) => workspaceOf(key)?.id ?? null },
  "workspace.name": { type: "text", read: (key) => workspaceOf(key)?.name ?? null },
  "workspace.archived": { type: "boolean", read: (key) => workspaceOf(key)?.archived ?? null },
  "owner.type": { type: "enum", values: ["user", "service_account"], read: (key) => key.owner.type },
  "owner.id": { type: "text", read: (key) => key.owner.id },
  "owner.name": { type: "text", read: (key) => key.owner.name },
  "owner.email": { type: "text", read: (key) => key.owner.email },
  "owner.role": { type: "text", read: (key) => key.owner.role },
  owner_access: { type: "enum", values: ["active", "inactive"], read: (key) => key.owner_access },
  // Enrichment (docs/enrichment.md): null (absent: true) when not known, or not asked for.
  "created_by.type": { type: "enum", values: ["user", "service_account"], read: (key) => key.created_by?.type ?? null },
  "created_by.id": { type: "text", read: (key) => key.created_by?.id ?? null },
  "created_by.email": { type: "text", read: (key) => key.created_by?.email ?? null },
  "created_by.api_key_id": { type: "text", read: (key) => key.created_by?.api_key_id ?? null },
  created_from_ip: { type: "text", read: (key) => key.created_from_ip ?? null },
  requests_30d: { type: "number", read: (key) => key.requests_30d ?? null },
  spend_30d_usd: { type: "number", read: (key) => key.spend_30d_usd ?? null },
} as const satisfies Record<string, FieldSpec>;

function workspaceOf(key: KeyRecord): KeyRecord["project"] {
  return keyProvider(key) === "anthropic" ? key.project : null;
}

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as [FieldName, ...FieldName[]];

export function fieldSpec(name: FieldName): FieldSpec {
  return FIELDS[name];
}
