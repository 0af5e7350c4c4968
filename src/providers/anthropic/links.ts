/**
 * Where an Anthropic key is managed (disabled, re-enabled) in the Claude Console.
 *
 * A GUESS, unverified: platform-notes.md does not give the Console's URLs, and no page of a single key
 * is documented anywhere found. This is the organization's API-keys page as third-party guides cite
 * it (console.anthropic.com/settings/keys; the admin-keys page is …/settings/admin-keys). It lists
 * every workspace's keys, so it is the same link for every key. Check it in the Console before relying
 * on it; it lives here and nowhere else so that it changes in one place.
 */
export const API_KEYS_PAGE = "https://console.anthropic.com/settings/keys";

/** The Console page of an Anthropic key (the same list page for every key; see above). */
export function anthropicDashboardUrl(_key: { id: string }): string {
  return API_KEYS_PAGE;
}
