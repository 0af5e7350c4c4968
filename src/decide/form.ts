/**
 * The forms a decision is made with (Accept risk, Revoke): the ids of their inputs, which the Slack
 * modals render (slack/) and the submissions are read and answered by (`response_action: errors`
 * names them), and the submitted values as Slack sends them.
 */

/** The reason input of both forms. */
export const REASON_BLOCK = "reason";
/** Accept risk: the last day it holds. */
export const EXPIRES_BLOCK = "expires";
/** Accept risk: an optional ticket URL. */
export const TICKET_BLOCK = "ticket";
/** Revoke: which action, when more than one fits. */
export const ACTION_BLOCK = "action";
/** Revoke: "I know it is in use", when a key of the plan was used in the last 24 hours. */
export const IN_USE_BLOCK = "in_use";

/** Fewest visible characters of an acceptance's reason. */
export const MIN_REASON_LENGTH = 10;
/** Fewest visible characters of a revoke's reason. */
export const MIN_REVOKE_REASON = 10;

/** A form's values as Slack sends them in `view.state.values[block_id][action_id]`. */
export type ViewValues = Record<
  string,
  Record<string, { value?: string | null; selected_date?: string | null; selected_option?: { value?: string } | null; selected_options?: { value?: string }[] | null }>
>;

/** The one input of a block (each block of these forms has one), or undefined when it was not sent. */
export function fieldOf(values: ViewValues, block: string): ViewValues[string][string] | undefined {
  return Object.values(values[block] ?? {})[0];
}
