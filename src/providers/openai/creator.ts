import type { AuditLogActor, KeyCreatedEvent } from "./enrichment-schemas.js";
import type { CreatorFact } from "../../model/enrichment.js";

/**
 * Who created a key: the actor of its `api_key.created` event (platform-notes §13: the creator is the
 * event's actor, not its payload). A dashboard session is a user with an IP address; an API key
 * actor is a user's key or a service account's key, without an IP address. An actor the log leaves
 * out, or that names nobody, is unknown (null), never guessed.
 */
export function creatorFact(event: KeyCreatedEvent): CreatorFact {
  return { created_by: actorCreator(event.actor ?? null), created_from_ip: sessionIp(event.actor ?? null), at: event.effective_at };
}

function actorCreator(actor: AuditLogActor | null): CreatorFact["created_by"] {
  if (actor === null) return null;
  if (actor.type === "session") {
    const user = actor.session?.user;
    return user ? { type: "user", id: user.id, email: user.email ?? null, api_key_id: null } : null;
  }
  if (actor.type === "api_key") {
    const key = actor.api_key;
    const apiKeyId = key?.id ?? null;
    if (key?.type === "user" && key.user) return { type: "user", id: key.user.id, email: key.user.email ?? null, api_key_id: apiKeyId };
    if (key?.type === "service_account" && key.service_account) return { type: "service_account", id: key.service_account.id, email: null, api_key_id: apiKeyId };
  }
  return null;
}

function sessionIp(actor: AuditLogActor | null): string | null {
  return actor?.type === "session" ? (actor.session?.ip_address ?? null) : null;
}

/** Keeps the earliest event of a key (a key is created once; a second event would be a replay). */
export function mergeCreator(creators: Record<string, CreatorFact>, keyId: string, fact: CreatorFact): void {
  const known = creators[keyId];
  if (known === undefined || fact.at < known.at) creators[keyId] = fact;
}
