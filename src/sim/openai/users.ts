/** GET /organization/users (limit, after), oldest first. */
import type { Reply } from "../http.js";
import type { SimOrg, UserJson } from "./org.js";
import { byTimeThenId, listParams, page } from "./pagination.js";

export function listUsers(org: SimOrg, query: Record<string, string>): Reply {
  const params = listParams(query);
  if ("status" in params) return params;
  const sorted = [...org.users].sort(byTimeThenId<UserJson>((u) => u.added_at));
  return page(sorted, () => true, params);
}
