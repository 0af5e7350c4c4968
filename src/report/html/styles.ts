/**
 * The report's one style sheet, inline: system fonts only (nothing to fetch), light backgrounds
 * only (prints as it shows), and print rules that keep tables, rows and the chart whole across pages.
 * Its SHA-256 is the only style the page's Content-Security-Policy allows (period-report.ts).
 */
/** `col.w12 { width: 12%; }`: the column widths of fixed tables (format.ts colgroup), as classes, since the policy allows no style attribute. */
const COLUMN_WIDTHS = Array.from({ length: 40 }, (_, i) => `col.w${i + 1} { width: ${i + 1}%; }`).join("\n");

export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0 auto; max-width: 1180px; padding: 28px 32px 48px; color: #1f2328; background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
header { border-bottom: 3px solid #1f2328; padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.period { font-size: 17px; margin: 0; }
p.audited { margin: 2px 0 0; }
.generator, .small { color: #57606a; font-size: 0.86em; }
time { white-space: nowrap; }
.notice { background: #f6f8fa; border-left: 4px solid #8c959f; padding: 8px 12px; margin: 12px 0 0; }
nav ol { margin: 8px 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav a { color: #0a3069; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; margin: 6px 0; }
code.hash { word-break: break-all; font-size: 11px; color: #424a53; }
code.id { white-space: nowrap; font-size: 11.5px; }
td { overflow-wrap: anywhere; }
td.when { white-space: nowrap; }
/* "Accepted at" (the 4th column): date and time may go on two lines; on one, wider than the column, they overprinted "Reason". */
table.risks td:nth-child(4) time { white-space: normal; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.stat { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 120px; background: #fff; }
.stat .value { display: block; font-size: 24px; font-weight: 700; }
.stat .label { color: #57606a; font-size: 12px; }
.side-by-side { display: flex; flex-wrap: wrap; gap: 12px 40px; align-items: flex-start; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
table.compact { width: auto; }
table.fixed { table-layout: fixed; }
${COLUMN_WIDTHS}
th, td { border-bottom: 1px solid #d8dee4; padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-size: 12px; font-weight: 600; border-bottom: 2px solid #afb8c1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.runs { font-size: 12.5px; }
tr.run td { border-bottom: none; padding-bottom: 1px; }
tr.hash-row td { padding-top: 0; }
tr.hash-row .small { margin-right: 4px; }
tr.framework th { background: #eef1f4; font-size: 13px; border-bottom: 1px solid #afb8c1; padding-top: 8px; }tr.gap td { background: #fff4e5; }
tr.unreadable td { background: #ffebe9; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; border: 1px solid #afb8c1; font-size: 12px; white-space: nowrap; background: #f6f8fa; }
.b-complete, .b-pass { background: #dafbe1; border-color: #4ac26b; color: #116329; }
.b-incomplete { background: #fff8c5; border-color: #d4a72c; color: #7d4e00; }
.b-failed, .b-fail, .b-expired { background: #ffebe9; border-color: #ff8182; color: #a40e26; }
.b-not_tested { background: #f6f8fa; color: #57606a; }
.b-critical { background: #ffebe9; border-color: #c92a2a; color: #a40e26; font-weight: 600; }
.b-high { background: #fff1e5; border-color: #d9480f; color: #9a3412; }
.b-medium { background: #fff8c5; border-color: #9c6f00; color: #6b4b00; }
.b-low { background: #ddf4ff; border-color: #1864ab; color: #0a3069; }
.b-info { background: #f6f8fa; color: #424a53; }
.none { color: #8c959f; }
.known { color: #57606a; font-size: 12px; }
.no-data { color: #57606a; font-style: italic; }
.strip { white-space: nowrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.h { display: inline-block; width: 1.3em; text-align: center; border-radius: 3px; margin-right: 1px; }
.h-pass { background: #dafbe1; color: #116329; }
.h-fail { background: #ffebe9; color: #a40e26; font-weight: 700; }
.h-incomplete { background: #fff8c5; color: #7d4e00; }
.h-not_tested, .h-none { background: #f6f8fa; color: #57606a; }
.problems li { color: #a40e26; }
figure { margin: 8px 0; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; fill: #1f2328; }
svg.chart .tick { font-size: 11px; fill: #57606a; }
svg.chart .axis-title { font-size: 12px; font-weight: 600; }
svg.chart .legend { font-size: 12px; }
svg.chart .plot-bg { fill: #fff; }
svg.chart .grid { stroke: #eaeef2; stroke-width: 1; }
svg.chart .axis, svg.chart .tick-mark { stroke: #57606a; stroke-width: 1; }
svg.chart .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg.chart .hollow > * { fill: #fff; stroke-width: 1.5; }
svg.chart .mark { font-size: 15px; font-weight: 700; }
svg.chart .mark-failed { fill: #a40e26; }
svg.chart .mark-gap { fill: #9a3412; }
footer { margin-top: 32px; border-top: 1px solid #d0d7de; padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10px; }
  th, td { padding: 3px 4px; }
  th { font-size: 8px; }
  time { white-space: normal; }
  code.id { white-space: normal; overflow-wrap: anywhere; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  tr, .stat, figure, pre, .notice { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section#trend, section#verify { break-inside: avoid; page-break-inside: avoid; }
  section#runs { break-before: page; page-break-before: always; }
  table.runs, table.controls, table.findings, table.risks, table.decisions, table.remediations { font-size: 8.5px; }
  code, code.id, code.hash { font-size: 8px; }
  .badge { font-size: 8px; padding: 0 4px; }
  .badge, .h, tr.gap td, tr.unreadable td, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
