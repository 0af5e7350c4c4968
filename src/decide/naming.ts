/** How actions, outcomes and refusals name what they touch, and which ids may go into a request path. */

/** Ids as the Admin APIs give them; anything else is never put into a request path (it is not escaped). */
export const API_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** `"ci-bot" (key_abc)`, or the id alone. */
export function named(name: string | null, id: string): string {
  return name ? `${JSON.stringify(name)} (${id})` : id;
}
