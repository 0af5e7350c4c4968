/**
 * What a remediation call did, read from the API's answer and a listing made after it; and what a
 * call would do, for dry-run mode. Pure: no I/O, no clock.
 *
 * A 2xx is not taken at its word: the listing must show the key or service account gone, or the
 * role now member (whether deleting a service account revokes its keys is not documented, so its
 * keys must be gone from the listing too), or an Anthropic key read again with the status it was set
 * to (a key read back still active after a Disable is unconfirmed). A 404 on a delete means it was
 * already gone. Anything else failed, with the API's own error message, redacted.
 */
import { redact } from "../util/redact.js";
import { type ApiAnswer, DEMOTED_ROLE, KEY_STATUS_SET, type ListingAfter, type RemediationAction } from "../model/remediation.js";
import { named } from "./naming.js";

export type OutcomeStatus = "done" | "already_gone" | "unconfirmed" | "failed";

export interface Outcome {
  status: OutcomeStatus;
  /** The HTTP status of the call, null when it got no answer. */
  httpStatus: number | null;
  /** One sentence for people; never contains a secret. */
  message: string;
}

/** Longest API error message kept. */
const MAX_ERROR_CHARS = 300;

/**
 * The outcome of `action`'s call. `secrets`: every configured secret, removed from whatever of the
 * API's answer is quoted (anything that looks like a full OpenAI or Slack secret goes too).
 */
export function confirmOutcome(action: RemediationAction, api: ApiAnswer, listingAfter: ListingAfter | null, secrets: readonly string[] = []): Outcome {
  const call = `${action.request.method} ${action.request.path}`;
  const outcome = (status: OutcomeStatus, message: string): Outcome => ({ status, httpStatus: api.status, message: redact(message, secrets) });
  const isDelete = action.request.method === "DELETE";

  const stillThere = listingAfter === null ? null : leftovers(action, listingAfter);
  if (api.status === null) {
    // A timeout does not say whether the call took effect: the listing after it does.
    const noAnswer = `${call} got no answer (${api.error ?? "no response"})`;
    if (stillThere === null) return outcome("unconfirmed", `${noAnswer}; it may or may not have taken effect, and Keywarden could not list again: check before retrying.`);
    if (stillThere.length > 0) return outcome("failed", `${noAnswer}, and the listing after it still shows ${stillThere.join(", ")}: it did not take effect.`);
    return outcome("done", `${noAnswer}, but it took effect: ${doneSentence(action)}`);
  }
  if (api.status === 404 && isDelete) {
    if (stillThere !== null && stillThere.length > 0) {
      return outcome("unconfirmed", `${call} answered 404 (not found), yet the listing after it still shows ${stillThere.join(", ")}: check the ids.`);
    }
    return outcome("already_gone", `${describeTarget(action)} was already gone (${call} answered 404).`);
  }
  if (api.status < 200 || api.status > 299) {
    return outcome("failed", `${call} failed: HTTP ${api.status}${apiErrorText(api.body)}${hint(action, api.status)}`);
  }
  if (listingAfter === null) return outcome("unconfirmed", `${call} answered ${api.status}, but Keywarden could not list again to confirm it.`);
  if (stillThere === null) return outcome("unconfirmed", `${call} answered ${api.status}, but the listing needed to confirm it is missing.`);
  if (stillThere.length > 0) return outcome("unconfirmed", `${call} answered ${api.status}, yet the listing after it still shows ${stillThere.join(", ")}.`);
  return outcome("done", doneSentence(action));
}

/**
 * What is left that the action should have removed or changed, per the listing; null when the
 * listing lacks a list it needs.
 */
function leftovers(action: RemediationAction, listing: ListingAfter): string[] | null {
  const keyIds = listing.keys ? new Set(listing.keys.map((k) => k.id)) : null;
  const account = listing.serviceAccounts?.find((sa) => sa.id === action.target.id);
  switch (action.kind) {
    case "delete_project_key":
    case "delete_admin_key":
      if (keyIds === null) return null;
      return keyIds.has(action.target.id) ? [`key ${action.target.id}`] : [];
    case "delete_service_account": {
      if (keyIds === null || listing.serviceAccounts === undefined) return null;
      const keys = action.keysAffected.filter((k) => keyIds.has(k.id)).map((k) => `key ${k.id}`);
      return [...(account ? [`service account ${action.target.id}`] : []), ...keys];
    }
    case "demote_service_account":
      if (listing.serviceAccounts === undefined) return null;
      if (!account) return [`no service account ${action.target.id} at all (it is no longer listed)`];
      return account.role?.toLowerCase() === DEMOTED_ROLE ? [] : [`service account ${action.target.id} with role ${account.role ?? "unknown"}`];
    case "disable_key":
    case "reenable_key": {
      if (listing.keys === undefined) return null;
      const key = listing.keys.find((k) => k.id === action.target.id);
      if (!key) return [`no key ${action.target.id} at all (it is not found when read again)`];
      return key.status === KEY_STATUS_SET[action.kind] ? [] : [`key ${action.target.id} ${key.status ?? "with an unknown status"}`];
    }
  }
}

function doneSentence(action: RemediationAction): string {
  const keys = action.keysAffected.map((k) => k.id).join(", ");
  switch (action.kind) {
    case "delete_project_key":
      return `Deleted project key ${named(action.target.name, action.target.id)}; the listing no longer shows it.`;
    case "delete_admin_key":
      return `Deleted admin key ${named(action.target.name, action.target.id)}; the listing no longer shows it.`;
    case "delete_service_account":
      return `Deleted service account ${named(action.target.name, action.target.id)}; the listing shows neither it nor its keys (${keys}).`;
    case "demote_service_account":
      return `Demoted service account ${named(action.target.name, action.target.id)} to ${DEMOTED_ROLE}; the listing confirms it.`;
    case "disable_key":
      return `Disabled Anthropic key ${named(action.target.name, action.target.id)}; read again, it is inactive.`;
    case "reenable_key":
      return `Re-enabled Anthropic key ${named(action.target.name, action.target.id)}; read again, it is active.`;
  }
}

function describeTarget(action: RemediationAction): string {
  const what = { service_account: "service account", admin_key: "admin key", project_key: "project key", api_key: "API key" }[action.target.type];
  return `${what} ${named(action.target.name, action.target.id)}`;
}

/** `: <the API's message>` from an OpenAI error body (`{"error":{"message":…}}`), text, or nothing. */
function apiErrorText(body: unknown): string {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      // Not JSON: the text itself is the message.
    }
  }
  let text: string | undefined;
  if (typeof value === "string") text = value;
  else if (value !== null && typeof value === "object") {
    const error = (value as { error?: unknown }).error;
    const message = error !== null && typeof error === "object" ? (error as { message?: unknown }).message : typeof error === "string" ? error : undefined;
    text = typeof message === "string" ? message : JSON.stringify(value);
  }
  const oneLine = (text ?? "").replace(/\s+/g, " ").trim();
  if (oneLine === "") return "";
  return `: ${oneLine.length > MAX_ERROR_CHARS ? `${oneLine.slice(0, MAX_ERROR_CHARS)}…` : oneLine}`;
}

function hint(action: RemediationAction, status: number): string {
  if (status === 401 || status === 403) return " (the admin key Keywarden runs with lacks the permission, or is wrong)";
  if (status === 400 && action.kind === "delete_project_key") return " (a service account's key cannot be deleted alone: delete its service account)";
  if (status === 400 && action.target.type === "service_account") return " (the API refuses to change service accounts of archived projects: was the project archived since?)";
  if (status === 400 && action.kind === "reenable_key") return " (the organization or workspace may have reached its limit of active API keys)";
  if (status === 404 && action.target.type === "api_key") return " (the Admin API no longer has this key)";
  return "";
}

/** What dry-run mode says instead of calling: `would DELETE /organization/projects/proj_x/api_keys/key_y`. */
export function dryRunRequest(action: RemediationAction): string {
  const { method, path, body } = action.request;
  const line = `would ${method} ${path}${body ? ` with ${JSON.stringify(body)}` : ""}`;
  if (action.kind === "delete_service_account") {
    const keys = action.keysAffected.map((k) => k.id);
    return `${line} (deleting service account ${named(action.target.name, action.target.id)} and with it ${keys.length === 1 ? "its key" : `its ${keys.length} keys`}: ${keys.join(", ")})`;
  }
  if (action.kind === "demote_service_account") {
    return `${line} (its ${action.keysAffected.length === 1 ? "key keeps" : `${action.keysAffected.length} keys keep`} working with a member's access: ${action.keysAffected.map((k) => k.id).join(", ")})`;
  }
  if (action.kind === "disable_key") return `${line} (the key stops working until it is re-enabled)`;
  return line;
}
