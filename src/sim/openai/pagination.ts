/**
 * The list semantics of the Admin API's cursor-paged lists (ApiKeyList,
 * ProjectListResponse, ProjectApiKeyListResponse, UserListResponse): `limit`
 * 1..100 (default 20), `after` = the id of the last item of the previous page,
 * `first_id` / `last_id` / `has_more`.
 */
import type { Reply } from "../http.js";
import { apiError } from "./errors.js";
import type { ListResponseJson } from "./org.js";

export type ListItem = { id: string };

export interface ListParams {
  limit: number;
  after: string | undefined;
}

/** Validates `limit` (integer 1..100, default 20) and reads `after` ("" = absent). */
export function listParams(query: Record<string, string>): ListParams | Reply {
  let limit = 20;
  const raw = query["limit"];
  if (raw !== undefined) {
    if (!/^-?\d+$/.test(raw.trim())) {
      return apiError(400, `Invalid type for 'limit': expected an integer, but got '${raw}' instead.`, "limit", "invalid_type");
    }
    limit = Number(raw.trim());
    if (limit < 1) {
      return apiError(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, "limit", "integer_below_min_value");
    }
    if (limit > 100) {
      return apiError(400, `Invalid 'limit': integer above maximum value. Expected a value <= 100, but got ${limit} instead.`, "limit", "integer_above_max_value");
    }
  }
  const after = query["after"];
  return { limit, after: after === undefined || after === "" ? undefined : after };
}

/**
 * One page of `all` (already sorted). The `after` cursor is located in the full
 * sorted list (so a cursor pointing at an item hidden by a filter still works);
 * an id that is not in the collection at all is a 400.
 */
export function page<T extends ListItem>(all: T[], visible: (item: T) => boolean, params: ListParams): Reply {
  let start = 0;
  if (params.after !== undefined) {
    const idx = all.findIndex((item) => item.id === params.after);
    if (idx < 0) {
      return apiError(400, `Invalid 'after': no object with id '${params.after}' in this list.`, "after");
    }
    start = idx + 1;
  }
  const rest = all.slice(start).filter(visible);
  const data = rest.slice(0, params.limit);
  const body: ListResponseJson<T> = {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: rest.length > data.length,
  };
  return { status: 200, json: body };
}

export function byTimeThenId<T extends ListItem>(time: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
