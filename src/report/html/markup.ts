/**
 * The page is built with hono/html's `html` tag, which escapes every value put into it unless the
 * value is a fragment the tag itself built. Everything the report shows from evidence is such a value:
 * key, project and owner names, reasons, ids come from the OpenAI API or from people typing in Slack,
 * so any of them may hold markup (`<script>`), quotes that would close an attribute, terminal control
 * characters, or bidirectional overrides that make a name read backwards. They are shown, never
 * interpreted: every string value is also passed through `shown` before it is escaped.
 */
import { html as honoHtml, raw } from "hono/html";
import { neutralizeControlChars, neutralizeInvisibleLayout } from "../../util/control-chars.js";
import { redact } from "../../util/redact.js";

/** A fragment of the page: markup written in this code, with every value in it escaped. */
export type Html = ReturnType<typeof raw>;

/** What may go into the page: fragments as they are, strings and numbers as text, nothing for null, undefined or a boolean. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

/** The page's template tag: hono/html's `html`, with every string value shown (see `shown`) and escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  const fragment = honoHtml(strings, ...values.map(asShown));
  // hono/html only returns a Promise when a value is one; the report has none.
  if (fragment instanceof Promise) throw new TypeError("the report is built synchronously");
  return fragment;
}

/** Fragments one after another, with `separator` between them. */
export function joined(parts: readonly Html[], separator: Html): Html {
  return html`${parts.map((part, i) => (i === 0 ? part : [separator, part]))}`;
}

/**
 * Markup written in this code as a constant, where escaping would change it: the style sheet (the text
 * of <style> is not decoded, so an entity would break it) and the Content-Security-Policy. Never a value.
 */
export function constantMarkup(markup: string): Html {
  return raw(markup);
}

/**
 * What a reader may see of a value from the evidence: anything that looks like a full OpenAI or Slack
 * secret removed (configured secrets are removed when the evidence is read: read-run.ts), control and
 * invisible layout characters shown as escapes. `html` then escapes it.
 */
function shown(value: string): string {
  return neutralizeInvisibleLayout(neutralizeControlChars(redact(value)));
}

function asShown(value: HtmlValue): HtmlValue {
  if (typeof value === "string") return shown(value);
  if (Array.isArray(value)) return value.map(asShown);
  return value;
}
