/**
 * Where a finding's key is managed, whatever its provider: the OpenAI dashboard page built from the
 * key's kind and a well-formed project id, or the Anthropic Console's keys page. Never a stored
 * string: a recorded `dashboard_url` is not trusted into a link.
 */
import { anthropicDashboardUrl } from "../providers/anthropic/links.js";
import { findingDashboardUrl } from "../providers/openai/links.js";
import { keyProvider } from "../model/key-facts.js";
import type { Provider } from "./accounts.js";

type LinkedFinding = { key: { kind: "admin" | "project"; id: string; provider?: Provider | undefined }; project: { id: string } | null };

/** The page of the finding's key; null when there is none (an OpenAI project id that does not look like one). */
export function keyDashboardUrl(finding: LinkedFinding): string | null {
  return keyProvider(finding.key) === "anthropic" ? anthropicDashboardUrl(finding.key) : findingDashboardUrl(finding);
}

/** Where that page is, in words: "OpenAI", "Anthropic Console". */
export const CONSOLE_NAME: Readonly<Record<Provider, string>> = { openai: "OpenAI", anthropic: "Anthropic Console" };
