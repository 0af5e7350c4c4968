/**
 * The Anthropic simulator's faults (../faults.ts) by their names: a fault
 * matches on the `after_id` cursor (`afterId`, the lists) and the `page` cursor
 * (the analytics reports); `truncated_page` answers a 200 page that says
 * has_more: true without its cursor (lists: no last_id; reports: next_page
 * null), and `invalid_item` one whose first item lacks a field every client
 * needs (`created_at`, reports: `starting_at`). A `status` fault answers before
 * authentication, like an edge proxy or rate limiter.
 */
import * as shared from "../faults.js";
import { isRecord } from "../json.js";

type Cursor = "afterId" | "page";
type PageFault = "truncated_page" | "invalid_item";

export const ANTHROPIC_FAULTS: shared.FaultDialect<Cursor, PageFault> = { cursors: ["afterId", "page"], pageFaults: ["truncated_page", "invalid_item"] };

export type Fault = shared.Fault<Cursor, PageFault>;

/** Applies truncated_page / invalid_item to a 200 page; anything else passes through. */
export function transformPage(status: number, body: unknown, kind: PageFault): unknown {
  if (status !== 200 || !isRecord(body) || !Array.isArray(body["data"])) return body;
  const copy = structuredClone(body) as Record<string, unknown> & { data: unknown[] };
  const report = "next_page" in copy;
  if (kind === "truncated_page") {
    copy["has_more"] = true;
    if (report) copy["next_page"] = null;
    else delete copy["last_id"];
    return copy;
  }
  const first = copy.data[0];
  if (isRecord(first)) delete first[report ? "starting_at" : "created_at" in first ? "created_at" : "added_at"];
  else delete copy["has_more"]; // an empty page: break the envelope instead
  return copy;
}
