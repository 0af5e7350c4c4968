/** Reading the query parameters of the audit log, usage and costs endpoints (repeated and typed ones). */
import type { Reply } from "../http.js";
import { apiError } from "./errors.js";

/**
 * The values of an array query parameter. The spec names some with brackets
 * (`event_types[]`) and some without (`group_by`, `api_key_ids`); both
 * spellings are accepted for every array parameter, repeated or not
 * (`group_by[]=a&group_by[]=b`, `group_by=a&group_by=b`), and combined.
 */
export function arrayParam(params: URLSearchParams, name: string): string[] {
  return [...params.getAll(name), ...params.getAll(`${name}[]`)];
}

/** An integer query parameter (absent → undefined); a non-integer is a 400 naming `param`. */
export function intParam(params: URLSearchParams, name: string): number | undefined | Reply {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    return apiError(400, `Invalid type for '${name}': expected an integer, but got '${raw}' instead.`, name, "invalid_type");
  }
  return Number(raw.trim());
}

export function boolParam(params: URLSearchParams, name: string): boolean | undefined | Reply {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (raw !== "true" && raw !== "false") {
    return apiError(400, `Invalid value for '${name}': expected a boolean, but got '${raw}' instead.`, name, "invalid_value");
  }
  return raw === "true";
}
