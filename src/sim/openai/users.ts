/** GET /organization/users (limit, after), oldest first; GET /organization/users/{user_id} (the User, 404 unknown). */
import type { Reply } from "../http.js";
import { notFound } from "./errors.js";
import type { SimOrg, UserJson } from "./org.js";
import { byTimeThenId, listParams, page } from "./pagination.js";

export function listUsers(org: SimOrg, query: Record<string, string>): Reply {
  const params = listParams(query);
  if ("status" in params) return params;
  const sorted = [...org.users].sort(byTimeThenId<UserJson>((u) => u.added_at));
  return page(sorted, () => true, params);
}

export function retrieveUser(org: SimOrg, userId: string): Reply {
  const user = org.users.find((u) => u.id === userId);
  return user === undefined ? notFound(`No user found with id '${userId}'.`) : { status: 200, json: user };
}
