/**
 * views.open: a trigger_id and a modal view. A trigger id (issued by
 * /__slack/trigger, as a click on a button would give it to the app) "expires
 * after 3 seconds" and can be exchanged once: invalid_trigger_id (unknown),
 * expired_trigger_id, exchanged_trigger_id; a view Slack would refuse is
 * invalid_arguments (title > 24, > 100 blocks, private_metadata > 3000, …).
 */
import type { Reply } from "../http.js";
import { isRecord } from "../json.js";
import { blockProblems, type Json, plainTextProblem } from "./block-kit.js";
import { ok, slackError } from "./reply.js";
import type { FakeView } from "./types.js";
import { type FakeWorkspace, randomHex, TEAM_ID } from "./workspace.js";

const TRIGGER_TTL_MS = 3000;
const MAX_VIEW_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;
const MAX_CALLBACK_ID = 255;

export class Triggers {
  private readonly issued = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly workspace: FakeWorkspace;

  constructor(workspace: FakeWorkspace) {
    this.workspace = workspace;
  }

  /** A trigger id views.open accepts once, until it is 3 s old; `ageMs` backdates it. */
  issue(o: { ageMs?: number } = {}): string {
    const n = this.workspace.next();
    const id = `${Date.now()}${String(n).padStart(4, "0")}.${1000000 + n}.${randomHex(16)}`;
    this.issued.set(id, { issuedAt: Date.now() - (o.ageMs ?? 0), used: false });
    return id;
  }

  /** Uses up the trigger; the Slack error when it cannot be (unknown, used, expired), else null. */
  exchange(id: string): string | null {
    const trigger = this.issued.get(id);
    if (!trigger) return "invalid_trigger_id";
    if (trigger.used) return "exchanged_trigger_id";
    if (Date.now() - trigger.issuedAt > TRIGGER_TTL_MS) return "expired_trigger_id";
    trigger.used = true;
    return null;
  }
}

export function openView(workspace: FakeWorkspace, triggers: Triggers, views: FakeView[], body: Record<string, unknown>): Reply {
  const view = body["view"];
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    return slackError("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: view [json-pointer:/view]"] } });
  }
  const problems = viewProblems(view as Record<string, unknown>);
  if (problems.length > 0) return slackError("invalid_arguments", { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
  const triggerId = typeof body["trigger_id"] === "string" ? body["trigger_id"] : "";
  const refused = triggers.exchange(triggerId);
  if (refused) return slackError(refused);
  const id = `V${String(workspace.next()).padStart(10, "0")}`;
  views.push({ id, trigger_id: triggerId, view: view as Record<string, unknown>, at: Date.now() });
  return ok({
    view: { ...view, id, team_id: TEAM_ID, state: { values: {} }, hash: `${workspace.nextTs()}.${randomHex(8)}`, root_view_id: id, previous_view_id: null, app_id: "A00000001", bot_id: "B00000001" },
  });
}

/** What views.open refuses in a modal view (Keywarden opens modals only). */
function viewProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view["type"] !== "modal") problems.push("must be 'modal' [json-pointer:/view/type]");
  const title = plainTextProblem(view["title"], MAX_VIEW_TITLE, "/view/title/text");
  if (title) problems.push(title);
  for (const name of ["submit", "close"]) {
    if (view[name] === undefined) continue;
    const problem = plainTextProblem(view[name], MAX_VIEW_TITLE, `/view/${name}/text`);
    if (problem) problems.push(problem);
  }
  const blocks = view["blocks"];
  if (!Array.isArray(blocks)) problems.push("missing required field: blocks [json-pointer:/view/blocks]");
  else {
    problems.push(...blockProblems(blocks, { surface: "modal", pointer: "/view/blocks" }));
    if (view["submit"] === undefined && blocks.some((b) => isRecord(b) && b["type"] === "input")) problems.push("submit is required when an input block is present [json-pointer:/view/submit]");
  }
  const metadata = view["private_metadata"];
  if (metadata !== undefined && (typeof metadata !== "string" || metadata.length > MAX_PRIVATE_METADATA)) problems.push(`must be at most ${MAX_PRIVATE_METADATA} characters [json-pointer:/view/private_metadata]`);
  for (const name of ["callback_id", "external_id"]) {
    const value = view[name];
    if (value !== undefined && (typeof value !== "string" || value.length > MAX_CALLBACK_ID)) problems.push(`must be at most ${MAX_CALLBACK_ID} characters [json-pointer:/view/${name}]`);
  }
  return problems;
}
