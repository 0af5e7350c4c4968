import type { InventoryProgress } from "../providers/openai/inventory-work.js";
import { redact } from "../util/redact.js";
import type { TerminalStream } from "./io.js";
import { isInteractive, progressLine } from "./progress-line.js";

export interface AuditProgress {
  update(progress: InventoryProgress): void;
  /** Stops the clock and erases the line, before the report is printed. */
  finish(): void;
}

export interface AuditProgressOptions {
  env?: Record<string, string | undefined>;
  /** Milliseconds, monotonic. */
  clock?: () => number;
  /** Fewest milliseconds between two redraws on updates. */
  redrawMs?: number;
  /** The elapsed time is redrawn this often even when nothing happens (a long Retry-After). */
  tickMs?: number;
  /** Removed from the line before it is cut to the terminal's width: a secret cut short is no longer recognized. */
  secrets?: readonly string[];
}

/** What `keywarden audit` is listing and how far it got, on one line of a terminal's stderr. */
export function auditProgress(stream: TerminalStream, options: AuditProgressOptions = {}): AuditProgress {
  if (!isInteractive(stream, options.env)) return { update() {}, finish() {} };
  const line = progressLine(stream, options.env);
  const clock = options.clock ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 100;
  const started = clock();
  let latest: InventoryProgress = { listing: "admin API keys and projects", projectsListed: 0, projectsFound: 0, requests: 0 };
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = (): void => {
    drawnAt = clock();
    line.show(redact(describeProgress(latest, drawnAt - started), options.secrets));
  };
  const ticker = setInterval(draw, options.tickMs ?? 1_000);
  ticker.unref();
  draw();
  return {
    update(progress) {
      latest = progress;
      if (clock() - drawnAt >= redrawMs) draw();
    },
    finish() {
      clearInterval(ticker);
      line.clear();
    },
  };
}

/** `keywarden: listing API keys of project "web" (proj_web) — 3/4 projects, 9 requests, 1.2 s` */
export function describeProgress(progress: InventoryProgress, elapsedMs: number): string {
  const projects = `${progress.projectsListed}/${progress.projectsFound} project${progress.projectsFound === 1 ? "" : "s"}`;
  const requests = `${progress.requests} request${progress.requests === 1 ? "" : "s"}`;
  return `keywarden: listing ${progress.listing} — ${projects}, ${requests}, ${(elapsedMs / 1000).toFixed(1)} s`;
}
