/**
 * What Slack refuses in Block Kit: the subset of blocks and elements Keywarden
 * uses, checked strictly, with the limits as Slack documents them (kept apart
 * from src/slack/'s own limits on purpose: a bug in the renderer's limits must
 * not hide here too).
 */
import { isRecord } from "../json.js";

const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_BLOCK_ID = 255;
const MAX_MODAL_BLOCKS = 100;
const MAX_BUTTON_TEXT = 75;
const MAX_ACTION_ID = 255;
const MAX_BUTTON_VALUE = 2000;
const MAX_BUTTON_URL = 3000;
const MAX_PLACEHOLDER = 150;
const MAX_INPUT_LABEL = 2000;
const MAX_OPTIONS = 100;
const MAX_OPTION_VALUE = 150;
const MAX_ACTIONS_ELEMENTS = 25;
const MAX_TEXT_INPUT_LENGTH = 3000;

export type Json = Record<string, unknown>;
const textOf = (t: unknown): string | null => (isRecord(t) && typeof t["text"] === "string" ? t["text"] : null);

/** A plain_text object of 1..max characters, or a problem. */
export function plainTextProblem(t: unknown, max: number, at: string): string | null {
  const text = textOf(t);
  if (!isRecord(t) || t["type"] !== "plain_text" || text === null || text.length === 0 || text.length > max) return `must be plain_text of 1..${max} characters [json-pointer:${at}]`;
  return null;
}

type ElementPlace = "accessory" | "input" | "actions";
const ELEMENTS_BY_PLACE: Record<ElementPlace, readonly string[]> = {
  accessory: ["button", "datepicker", "static_select", "overflow"],
  input: ["plain_text_input", "url_text_input", "datepicker", "static_select", "checkboxes"],
  actions: ["button", "datepicker", "static_select"],
};

/** What Slack refuses in an interactive element (button, text or URL input, date picker, static select). */
function elementProblems(element: unknown, place: ElementPlace, at: string): string[] {
  if (!isRecord(element)) return [`invalid element [json-pointer:${at}]`];
  const type = element["type"];
  if (typeof type !== "string" || !ELEMENTS_BY_PLACE[place].includes(type)) return [`unsupported element type ${String(type)} [json-pointer:${at}]`];
  const problems: string[] = [];
  const push = (problem: string | null) => problem && problems.push(problem);
  const maxString = (name: string, max: number) => {
    const value = element[name];
    if (value !== undefined && (typeof value !== "string" || value.length > max)) problems.push(`${name} must be a string of at most ${max} characters [json-pointer:${at}/${name}]`);
  };
  maxString("action_id", MAX_ACTION_ID);
  if (element["placeholder"] !== undefined) push(plainTextProblem(element["placeholder"], MAX_PLACEHOLDER, `${at}/placeholder`));
  switch (type) {
    case "button": {
      push(plainTextProblem(element["text"], MAX_BUTTON_TEXT, `${at}/text`));
      maxString("value", MAX_BUTTON_VALUE);
      maxString("url", MAX_BUTTON_URL);
      const style = element["style"];
      if (style !== undefined && style !== "primary" && style !== "danger") problems.push(`style must be primary or danger [json-pointer:${at}/style]`);
      break;
    }
    case "plain_text_input": {
      for (const name of ["min_length", "max_length"]) {
        const n = element[name];
        if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_TEXT_INPUT_LENGTH)) problems.push(`${name} must be 0..${MAX_TEXT_INPUT_LENGTH} [json-pointer:${at}/${name}]`);
      }
      break;
    }
    case "url_text_input": {
      const url = element["initial_value"];
      if (url !== undefined && (typeof url !== "string" || !/^https?:\/\//.test(url))) problems.push(`initial_value must be a URL [json-pointer:${at}/initial_value]`);
      break;
    }
    case "datepicker": {
      const date = element["initial_date"];
      if (date !== undefined && (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date))) problems.push(`initial_date must be YYYY-MM-DD [json-pointer:${at}/initial_date]`);
      break;
    }
    case "static_select":
    case "overflow":
    case "checkboxes": {
      const options = element["options"];
      // Overflow menus take 2..5 options, checkboxes 1..10, static selects up to 100.
      const [least, most] = type === "overflow" ? [2, 5] : type === "checkboxes" ? [1, 10] : [1, MAX_OPTIONS];
      if (!Array.isArray(options) || options.length < least || options.length > most) problems.push(`options must hold ${least}..${most} options [json-pointer:${at}/options]`);
      else
        options.forEach((option, i) => {
          const o = isRecord(option) ? option : {};
          push(plainTextProblem(o["text"], MAX_BUTTON_TEXT, `${at}/options/${i}/text`));
          if (typeof o["value"] !== "string" || o["value"].length > MAX_OPTION_VALUE) problems.push(`option value must be at most ${MAX_OPTION_VALUE} characters [json-pointer:${at}/options/${i}/value]`);
        });
      break;
    }
  }
  return problems;
}

/**
 * What Slack refuses in `blocks` of a message (chat.postMessage, chat.update) or a modal
 * (views.open): the subset of Block Kit Keywarden uses, checked strictly.
 */
export function blockProblems(blocks: unknown[], where: { surface: "message" | "modal"; pointer: string }): string[] {
  const problems: string[] = [];
  const maxBlocks = where.surface === "modal" ? MAX_MODAL_BLOCKS : MAX_BLOCKS;
  if (blocks.length > maxBlocks) problems.push(`no more than ${maxBlocks} items allowed [json-pointer:${where.pointer}]`);
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const path = `${where.pointer}/${i}`;
    const at = `[json-pointer:${path}]`;
    if (!isRecord(raw)) return problems.push(`invalid block ${at}`);
    const block = raw;
    const id = block["block_id"];
    if (id !== undefined) {
      if (typeof id !== "string" || id.length > MAX_BLOCK_ID) problems.push(`invalid block_id ${at}`);
      else if (ids.has(id)) problems.push(`duplicate block_id ${at}`);
      else ids.add(id);
    }
    switch (block["type"]) {
      case "header": {
        const t = block["text"] as { type?: string } | undefined;
        const text = textOf(t);
        if (t?.type !== "plain_text" || text === null || text.length === 0 || text.length > MAX_HEADER_TEXT) problems.push(`header text must be plain_text of 1..${MAX_HEADER_TEXT} characters ${at}`);
        return;
      }
      case "section": {
        const text = block["text"] === undefined ? null : textOf(block["text"]);
        const fields = block["fields"];
        if (block["text"] !== undefined && (text === null || text.length === 0 || text.length > MAX_SECTION_TEXT)) problems.push(`section text must be 1..${MAX_SECTION_TEXT} characters ${at}`);
        if (fields !== undefined) {
          if (!Array.isArray(fields) || fields.length > MAX_FIELDS) problems.push(`no more than ${MAX_FIELDS} fields ${at}`);
          else for (const f of fields) if ((textOf(f)?.length ?? MAX_FIELD_TEXT + 1) > MAX_FIELD_TEXT) problems.push(`field text over ${MAX_FIELD_TEXT} characters ${at}`);
        }
        if (block["text"] === undefined && fields === undefined) problems.push(`section needs text or fields ${at}`);
        if (block["accessory"] !== undefined) problems.push(...elementProblems(block["accessory"], "accessory", `${path}/accessory`));
        return;
      }
      case "context": {
        const elements = block["elements"];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_CONTEXT_ELEMENTS) problems.push(`context needs 1..${MAX_CONTEXT_ELEMENTS} elements ${at}`);
        else for (const e of elements) if ((textOf(e)?.length ?? 0) > MAX_SECTION_TEXT) problems.push(`context text over ${MAX_SECTION_TEXT} characters ${at}`);
        return;
      }
      case "actions": {
        const elements = block["elements"];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_ACTIONS_ELEMENTS) problems.push(`actions needs 1..${MAX_ACTIONS_ELEMENTS} elements ${at}`);
        else elements.forEach((e, j) => problems.push(...elementProblems(e, "actions", `${path}/elements/${j}`)));
        return;
      }
      case "input": {
        if (where.surface !== "modal") return problems.push(`unsupported block type input ${at}`);
        const label = plainTextProblem(block["label"], MAX_INPUT_LABEL, `${path}/label`);
        if (label) problems.push(label);
        if (block["hint"] !== undefined) {
          const hint = plainTextProblem(block["hint"], MAX_INPUT_LABEL, `${path}/hint`);
          if (hint) problems.push(hint);
        }
        problems.push(...elementProblems(block["element"], "input", `${path}/element`));
        return;
      }
      case "divider":
        return;
      default:
        return problems.push(`unsupported block type ${String(block["type"])} ${at}`);
    }
  });
  return problems;
}
