/**
 * The OpenAI simulator's faults (../faults.ts) by their names: a fault matches
 * on the `after` cursor (the lists) and the `page` cursor (usage / costs);
 * `lie_has_more` answers a page that claims more but gives no cursor to them
 * (has_more true, last_id removed; usage/costs: next_page null), and
 * `invalid_shape` one where an item lacks a required field (created_at /
 * added_at / effective_at / a bucket's start_time).
 */
import * as shared from "../faults.js";

type Cursor = "after" | "page";
type PageFault = "lie_has_more" | "invalid_shape";

export const OPENAI_FAULTS: shared.FaultDialect<Cursor, PageFault> = { cursors: ["after", "page"], pageFaults: ["lie_has_more", "invalid_shape"] };

export type FaultMatch = shared.FaultMatch<Cursor>;
export type FaultEffect = shared.FaultEffect<PageFault>;
export type Fault = shared.Fault<Cursor, PageFault>;

export function parseFault(input: unknown): Fault {
  return shared.parseFault(OPENAI_FAULTS, input);
}
