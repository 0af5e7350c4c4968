import type { Inventory, InventoryError, KeyRecord, ProjectRecord, UserRecord } from "../../model/inventory.js";
import { type AnthropicInventoryOptions, type InventoryPart, collectAnthropicSlice, initialWorkState } from "./client.js";
import { normalizeApiKey, normalizeUser, normalizeWorkspace } from "./normalize.js";

export interface AnthropicInventory extends Inventory {
  /** Set when the Admin API refused the admin key or never answered: nothing of the account could be seen. */
  fatal?: InventoryError;
}

/** Lists the whole account in one go (CLI, demo, tests): every page of every list, then the assembly. */
export async function collectAnthropicInventory(options: AnthropicInventoryOptions): Promise<AnthropicInventory> {
  const { part } = await collectAnthropicSlice(options, initialWorkState());
  return assembleAnthropicInventory(options.account, [part]);
}

/**
 * Joins the parts read by one or more slices of `account` into one Inventory, in the model:
 * workspaces as projects, users, and every key normalized against them. A key, workspace or user
 * listed twice (pages shifting between requests) is one record.
 */
export function assembleAnthropicInventory(account: string, parts: readonly InventoryPart[]): AnthropicInventory {
  const users = new Map<string, UserRecord>();
  for (const user of parts.flatMap((p) => p.users)) users.set(user.id, normalizeUser(user));
  const workspaces = new Map<string, ProjectRecord>();
  for (const workspace of parts.flatMap((p) => p.workspaces)) workspaces.set(workspace.id, normalizeWorkspace(workspace));
  const keys = new Map<string, KeyRecord>();
  for (const key of parts.flatMap((p) => p.apiKeys)) keys.set(key.id, normalizeApiKey(key, { account, workspaces, users }));
  const fatal = parts.find((p) => p.fatal)?.fatal ?? unreachable(account, parts);
  return {
    keys: [...keys.values()],
    projects: [...workspaces.values()],
    users: [...users.values()],
    // Every list failed for the same reason when the key was refused; one error says it.
    errors: fatal ? [fatal] : parts.flatMap((p) => p.errors),
    requests: parts.reduce((n, p) => n + p.requests, 0),
    ...(fatal ? { fatal } : {}),
  };
}

/**
 * The Admin API never answered (closed port, DNS failure, timeouts): every list failed to connect
 * and nothing was read. That is no result at all, not an account with no keys.
 */
function unreachable(account: string, parts: readonly InventoryPart[]): InventoryError | undefined {
  const errors = parts.flatMap((p) => p.errors);
  const readSomething = parts.some((p) => p.apiKeys.length + p.workspaces.length + p.users.length > 0);
  if (readSomething || errors.length === 0 || !errors.every((e) => e.kind === "network")) return undefined;
  if (!errors.some((e) => e.scope.list === "api_keys")) return undefined;
  return {
    scope: { list: "api_keys" },
    kind: "network",
    account,
    message: `Anthropic account "${account}": the Admin API could not be reached, not one request was answered (${errors[0]?.message})`,
  };
}
