import { secretValues } from "../config.js";
import { neutralizeControlChars } from "./control-chars.js";
import { redact } from "./redact.js";

const secrets = new Set<string>();

/**
 * Every log line of the Worker goes out through `log`: configured secrets redacted and control
 * characters made visible, whatever a key or project name holds (a name cannot start a forged line).
 * Each entry point (fetch, cron, Workflow) tells it the secrets of its env first.
 */
export function rememberSecrets(env: object): void {
  for (const secret of secretValues(env)) secrets.add(secret);
}

/** One log line as it may be written. */
export function safeLogLine(text: string): string {
  return neutralizeControlChars(redact(text, [...secrets]));
}

export const log = {
  info(text: string): void {
    console.log(safeLogLine(text));
  },
  error(text: string): void {
    console.error(safeLogLine(text));
  },
};
