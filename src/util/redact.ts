/**
 * The one redaction helper: everything that may reach a log, an error, evidence
 * or Slack goes through it. It removes the configured secrets and anything that
 * looks like a full OpenAI or Slack secret (redacted key values such as
 * "sk-proj-...9xYz" are short and survive).
 */
// Not after a letter (so "risk-assessment-…" is a word), but after a digit or "_" it is still a secret: ml_sk-proj-….
// Nor after an escape sequence: JSON writes a newline before a secret as \n, the CSV and text outputs write
// control and bidi characters as \x1b or \u200e, and the letter that ends the escape is no word.
const START = String.raw`(?:(?<![A-Za-z])|(?<=\\[a-z])|(?<=\\x[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4}))`;
const SECRET_PATTERNS = [new RegExp(`${START}sk-[A-Za-z0-9_-]{16,}`, "g"), new RegExp(`${START}xox[abposr]-[A-Za-z0-9-]{8,}`, "g")];

export const REDACTED = "[REDACTED]";

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}
