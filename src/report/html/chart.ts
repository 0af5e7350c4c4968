/**
 * Open findings over the period as an inline SVG: one line per severity, one point per run that
 * evaluated the policy, placed at its start time. Failed runs (nothing evaluated) and runs without
 * evidence are marked on the time axis and break the lines; incomplete runs have hollow points
 * (their counts are a lower bound). Colours are paired with dash patterns and point shapes, so the
 * chart reads in grey on paper too. No script, no external resource.
 */
import { SEVERITY_ORDER, type SeverityName } from "./format.js";
import { type Html, html, joined } from "./markup.js";

export interface ChartRun {
  /** ISO start time. */
  at: string;
  status: string;
  /** Open findings by severity; null for a failed run. */
  findings: Record<SeverityName, number> | null;
}

export interface ChartGap {
  at: string;
}

const W = 960;
const H = 360;
const PLOT = { left: 64, right: 940, top: 24, bottom: 256 };
const DAY_MS = 86_400_000;

const STYLE: Record<SeverityName, { color: string; dash: string; shape: (x: number, y: number) => Html }> = {
  critical: { color: "#c92a2a", dash: "", shape: (x, y) => html`<circle cx="${f(x)}" cy="${f(y)}" r="4.5"/>` },
  high: { color: "#d9480f", dash: "8 4", shape: (x, y) => html`<rect x="${f(x - 4)}" y="${f(y - 4)}" width="8" height="8"/>` },
  medium: { color: "#9c6f00", dash: "2 3", shape: (x, y) => html`<path d="M${f(x)} ${f(y - 5.5)}L${f(x + 5.5)} ${f(y)}L${f(x)} ${f(y + 5.5)}L${f(x - 5.5)} ${f(y)}Z"/>` },
  low: { color: "#1864ab", dash: "10 3 2 3", shape: (x, y) => html`<path d="M${f(x)} ${f(y - 5)}L${f(x + 5)} ${f(y + 4)}L${f(x - 5)} ${f(y + 4)}Z"/>` },
  info: { color: "#495057", dash: "1 4", shape: (x, y) => html`<path d="M${f(x - 5)} ${f(y - 4)}L${f(x + 5)} ${f(y - 4)}L${f(x)} ${f(y + 5)}Z"/>` },
};

export function findingsChart(runs: readonly ChartRun[], gaps: readonly ChartGap[], period: { from: string; to: string }): Html {
  const start = Date.parse(`${period.from}T00:00:00.000Z`);
  const end = Date.parse(`${period.to}T00:00:00.000Z`) + DAY_MS;
  const x = (iso: string) => {
    const t = Date.parse(iso);
    const clamped = Number.isNaN(t) ? start : Math.min(end, Math.max(start, t));
    return PLOT.left + ((clamped - start) / (end - start)) * (PLOT.right - PLOT.left);
  };
  const max = Math.max(0, ...runs.flatMap((r) => (r.findings ? SEVERITY_ORDER.map((s) => r.findings?.[s] ?? 0) : [])));
  const yTicks = niceTicks(max);
  const top = yTicks.at(-1) ?? 1;
  const y = (n: number) => PLOT.bottom - (n / top) * (PLOT.bottom - PLOT.top);

  const parts: Html[] = [];
  parts.push(html`<title id="chart-title">Open findings by severity at each run, ${period.from} to ${period.to}</title>`);
  parts.push(html`<desc id="chart-desc">One point per run that evaluated the policy; the table "Every run" lists the same figures.</desc>`);
  parts.push(html`<rect class="plot-bg" x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}"/>`);
  for (const tick of yTicks) {
    parts.push(html`<line class="grid" x1="${PLOT.left}" x2="${PLOT.right}" y1="${f(y(tick))}" y2="${f(y(tick))}"/>`);
    parts.push(html`<text class="tick" x="${PLOT.left - 8}" y="${f(y(tick) + 4)}" text-anchor="end">${tick}</text>`);
  }
  for (const tick of timeTicks(start, end)) {
    const tx = PLOT.left + ((tick.t - start) / (end - start)) * (PLOT.right - PLOT.left);
    parts.push(html`<line class="tick-mark" x1="${f(tx)}" x2="${f(tx)}" y1="${PLOT.bottom}" y2="${PLOT.bottom + 5}"/>`);
    parts.push(html`<text class="tick" x="${f(tx)}" y="${PLOT.bottom + 19}" text-anchor="middle">${tick.label}</text>`);
  }
  parts.push(html`<line class="axis" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}"/>`);
  parts.push(html`<line class="axis" x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}"/>`);
  parts.push(html`<text class="axis-title" x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 42}" text-anchor="middle">Run start (UTC)</text>`);
  parts.push(html`<text class="axis-title" transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">Open findings</text>`);

  // Lines break where nothing was evaluated: a failed run, or a run that left no evidence.
  const events = [...runs.map((run) => ({ at: run.at, run })), ...gaps.map((gap) => ({ at: gap.at, run: null }))].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const severity of [...SEVERITY_ORDER].reverse()) {
    const style = STYLE[severity];
    const segments: string[][] = [[]];
    for (const { at, run } of events) {
      if (run?.findings) segments.at(-1)?.push(`${f(x(at))} ${f(y(run.findings[severity]))}`);
      else segments.push([]);
    }
    const d = segments.filter((s) => s.length > 1).map((s) => `M${s.join("L")}`).join("");
    if (d) parts.push(html`<path class="series" d="${d}" stroke="${style.color}"${style.dash ? html` stroke-dasharray="${style.dash}"` : ""}/>`);
    const points = runs.filter((r) => r.findings).map((r) => html`<g class="${r.status === "complete" ? "point" : "point hollow"}">${style.shape(x(r.at), y(r.findings?.[severity] ?? 0))}</g>`);
    parts.push(html`<g class="points" fill="${style.color}" stroke="${style.color}" data-severity="${severity}">${points}</g>`);
  }
  for (const run of runs.filter((r) => !r.findings)) parts.push(axisMark(x(run.at), "failed", "×"));
  for (const gap of gaps) parts.push(axisMark(x(gap.at), "gap", "?"));
  parts.push(legend());
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc">\n${joined(parts, html`\n`)}\n</svg>`;
}

function axisMark(x: number, kind: "failed" | "gap", symbol: string): Html {
  return html`<text class="mark mark-${kind}" x="${f(x)}" y="${PLOT.bottom - 4}" text-anchor="middle">${symbol}</text>`;
}

function legend(): Html {
  const items: Html[] = [];
  let at = PLOT.left;
  const row = H - 22;
  for (const severity of SEVERITY_ORDER) {
    const style = STYLE[severity];
    items.push(
      html`<line x1="${at}" x2="${at + 28}" y1="${row}" y2="${row}" stroke="${style.color}" stroke-width="2"${style.dash ? html` stroke-dasharray="${style.dash}"` : ""}/>`,
      html`<g fill="${style.color}" stroke="${style.color}">${style.shape(at + 14, row)}</g>`,
      html`<text class="legend" x="${at + 34}" y="${row + 4}">${severity}</text>`,
    );
    at += 34 + severity.length * 7 + 26;
  }
  items.push(html`<g fill="#fff" stroke="#495057" stroke-width="1.5"><circle cx="${at + 6}" cy="${row}" r="4.5"/></g><text class="legend" x="${at + 16}" y="${row + 4}">incomplete run</text>`);
  at += 16 + 14 * 7 + 20;
  items.push(html`<text class="mark mark-failed" x="${at + 6}" y="${row + 5}" text-anchor="middle">×</text><text class="legend" x="${at + 16}" y="${row + 4}">failed run</text>`);
  at += 16 + 10 * 7 + 20;
  items.push(html`<text class="mark mark-gap" x="${at + 6}" y="${row + 5}" text-anchor="middle">?</text><text class="legend" x="${at + 16}" y="${row + 4}">run without evidence</text>`);
  return html`<g class="chart-legend">${items}</g>`;
}

/** 0 and round steps up to at least `max` (at least 1), at most about six ticks. */
export function niceTicks(max: number): number[] {
  const target = Math.max(1, max);
  let step = 1;
  for (const magnitude of [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]) {
    const fit = [1, 2, 5].map((m) => m * magnitude).find((s) => Math.ceil(target / s) <= 5);
    if (fit !== undefined) {
      step = fit;
      break;
    }
  }
  const ticks: number[] = [];
  for (let t = 0; t < target + step; t += step) ticks.push(t);
  return ticks;
}

/** Day boundaries across the axis, at most about eight labels; within a day or two, every six hours. */
function timeTicks(start: number, end: number): { t: number; label: string }[] {
  const days = Math.round((end - start) / DAY_MS);
  const stepMs = days <= 2 ? DAY_MS / 4 : Math.ceil(days / 8) * DAY_MS;
  const ticks: { t: number; label: string }[] = [];
  for (let t = start; t <= end; t += stepMs) {
    const iso = new Date(t).toISOString();
    ticks.push({ t, label: days <= 2 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10) });
  }
  return ticks;
}

/** Coordinates with one decimal: small, and the same in every runtime. */
function f(n: number): string {
  return String(Math.round(n * 10) / 10);
}
