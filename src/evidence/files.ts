import type { AuditRun } from "../model/run.js";
import { redact } from "../util/redact.js";
import type { RemediationView } from "../model/remediation.js";
import type { AcceptanceEvent } from "../model/acceptance.js";
import { ACCEPTANCES_CSV_COLUMNS, type AcceptancesWindow, acceptancesDocument, acceptancesRows } from "./acceptances.js";
import { type CsvCell, toCsv } from "./csv.js";
import { REMEDIATIONS_CSV_COLUMNS, type RemediationsWindow, remediationsDocument, remediationsRows } from "./remediations.js";
import { keyAccountLookup } from "./key-accounts.js";
import { compareText, contentTypeOf } from "./layout.js";
import { EXEMPTIONS_CSV_COLUMNS, FINDINGS_CSV_COLUMNS, INVENTORY_CSV_COLUMNS, exemptionsRows, findingsRows, inventoryRows } from "./tables.js";
import { CONTROLS_CSV_COLUMNS, controlsRows } from "./tables.js";
import { type EvidenceInventory, exemptionsDocument, findingsDocument, inventoryDocument } from "./views.js";
import { controlsDocument } from "./views.js";
import type { WatchFiring } from "../model/watch.js";
import { WATCH_CSV_COLUMNS, type WatchWindow, watchDocument, watchRows } from "./watch.js";

export interface EvidenceFile {
  name: string;
  content: Uint8Array;
  contentType: string;
}

export interface EvidenceInput {
  run: AuditRun;
  /** null when no inventory was taken (failed runs). */
  inventory: EvidenceInventory | null;
  /** The exact policy text that was evaluated. */
  policyText: string;
  /** Revokes decided since the previous run, and that window; absent in runs recorded before remediation existed. */
  remediations?: { window: RemediationsWindow; items: readonly RemediationView[] } | undefined;
  /** Decisions on accepted risks since the previous run, and that window; absent in runs recorded before they were kept. */
  acceptances?: { window: AcceptancesWindow; events: readonly AcceptanceEvent[] } | undefined;
  /** The hourly watch's firings in the same window; absent or none: no watch.* files (the watch is off, or never fired between the runs). */
  watches?: { window: WatchWindow; firings: readonly WatchFiring[] } | undefined;
  /** Configured secrets (admin key, tokens, signing key): removed from every file, whatever field they hide in. */
  secrets?: readonly (string | undefined)[];
}

/**
 * The data files of one run's evidence, sorted by name. A failed run has no
 * `findings.csv` and no `exemptions.*` or `controls.*` (nothing was evaluated), and a run without
 * an inventory no `inventory.*`: a header-only CSV would read as "nothing found"
 * for a run that saw nothing. A run recorded before controls existed has no `controls.*`.
 */
export function buildEvidenceFiles(input: EvidenceInput): EvidenceFile[] {
  const { run, inventory } = input;
  const secrets = input.secrets ?? [];
  const clean = (text: string) => redact(text, secrets);
  const files: EvidenceFile[] = [];
  const add = (name: string, text: string) => files.push({ name, content: utf8(text), contentType: contentTypeOf(name) });
  // The provider and account of keys named by id only (exemptions, acceptances, remediations).
  const accountOf = keyAccountLookup(run, inventory?.keys ?? []);

  add("findings.json", json(findingsDocument(run, accountOf), clean));
  if (run.status !== "failed") {
    add("findings.csv", csv(FINDINGS_CSV_COLUMNS, findingsRows(run), clean));
    add("exemptions.json", json(exemptionsDocument(run, accountOf), clean));
    add("exemptions.csv", csv(EXEMPTIONS_CSV_COLUMNS, exemptionsRows(run, accountOf), clean));
    if (run.controls) {
      add("controls.json", json(controlsDocument(run), clean));
      add("controls.csv", csv(CONTROLS_CSV_COLUMNS, controlsRows(run), clean));
    }
  }
  if (inventory) {
    add("inventory.json", json(inventoryDocument(run, inventory), clean));
    add("inventory.csv", csv(INVENTORY_CSV_COLUMNS, inventoryRows(run, inventory.keys), clean));
  }
  if (input.acceptances) {
    add("acceptances.json", json(acceptancesDocument(run.id, input.acceptances.window, input.acceptances.events, accountOf), clean));
    add("acceptances.csv", csv(ACCEPTANCES_CSV_COLUMNS, acceptancesRows(run.id, input.acceptances.events, accountOf), clean));
  }
  if (input.remediations) {
    add("remediations.json", json(remediationsDocument(run.id, input.remediations.window, input.remediations.items, accountOf), clean));
    add("remediations.csv", csv(REMEDIATIONS_CSV_COLUMNS, remediationsRows(input.remediations.items, accountOf), clean));
  }
  if (input.watches && input.watches.firings.length > 0) {
    add("watch.json", json(watchDocument(run.id, input.watches.window, input.watches.firings), clean));
    add("watch.csv", csv(WATCH_CSV_COLUMNS, watchRows(run.id, input.watches.firings), clean));
  }
  // Verbatim so that its SHA-256 is the run's policy hash; should a secret ever sit in a
  // policy, it is removed anyway and verify then reports the hash mismatch.
  add("policy.yaml", clean(input.policyText));
  return files.sort((a, b) => compareText(a.name, b.name));
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function json(value: unknown, clean: (text: string) => string): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? clean(v) : v), 2)}\n`;
}

function csv(header: readonly string[], rows: CsvCell[][], clean: (text: string) => string): string {
  return toCsv(header, rows.map((row) => row.map((cell) => (typeof cell === "string" ? clean(cell) : cell))));
}
