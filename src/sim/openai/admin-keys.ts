/**
 * GET /organization/admin_api_keys (limit, after, order=asc|desc),
 * GET /organization/admin_api_keys/{key_id} (the AdminApiKey, 404 unknown) and
 * DELETE /organization/admin_api_keys/{key_id}: 200 `{id, object:
 * "organization.admin_api_key.deleted", deleted: true}`, 404 unknown. The
 * DELETE only removes the fixture: the key the simulator authenticates with
 * is `adminKey`, which is not in the listing.
 */
import type { Reply } from "../http.js";
import { apiError, notFound } from "./errors.js";
import type { AdminApiKeyJson, DeletedJson, SimOrg } from "./org.js";
import { byTimeThenId, listParams, page } from "./pagination.js";

export function listAdminKeys(org: SimOrg, query: Record<string, string>): Reply {
  const params = listParams(query);
  if ("status" in params) return params;
  const order = query["order"] ?? "asc";
  if (order !== "asc" && order !== "desc") {
    return apiError(400, `Invalid value for 'order': expected one of 'asc' or 'desc', but got '${order}' instead.`, "order", "invalid_value");
  }
  const sorted = [...org.adminKeys].sort(byTimeThenId<AdminApiKeyJson>((k) => k.created_at));
  if (order === "desc") sorted.reverse();
  return page(sorted, () => true, params);
}

export function retrieveAdminKey(org: SimOrg, keyId: string): Reply {
  const key = org.adminKeys.find((k) => k.id === keyId);
  return key === undefined ? notFound(`No admin API key found with id '${keyId}'.`) : { status: 200, json: key };
}

export function deleteAdminKey(org: SimOrg, keyId: string): Reply {
  const idx = org.adminKeys.findIndex((k) => k.id === keyId);
  if (idx < 0) return notFound(`No admin API key found with id '${keyId}'.`);
  org.adminKeys.splice(idx, 1);
  // Field order as in the spec's example for this operation.
  const body: DeletedJson<"organization.admin_api_key.deleted"> = { id: keyId, object: "organization.admin_api_key.deleted", deleted: true };
  return { status: 200, json: body };
}
