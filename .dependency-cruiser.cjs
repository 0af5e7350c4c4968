/**
 * Keywarden's house rules (../shared/DESIGN.md, "Layout"): dependencies point down.
 * Checked by `npm test` (test/unit/house-rules.test.ts runs `depcruise src`); a wrong-way
 * import fails with the rule's name.
 */
const EDGES = "^src/(index\\.ts|http/|worker/|cli/)";
const BASE = "^src/(config\\.ts|config-error\\.ts|config-accounts\\.ts|version\\.ts|model/|util/)";
const PROVIDERS = "^src/providers/";
const JUDGES = "^src/(policy|controls|enrichment)/";
const OUTPUTS = "^src/(slack|evidence|report)/";
const DECIDE = "^src/decide/";
// The run: the audit's stages, and the hourly watch between audits.
const RUN = "^src/(audit|watch)/";
const STORE = "^src/store/";
const SERVICES = "^src/services\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "base-imports-no-feature",
      comment: "config.ts, model/ and util/ are the base: they import nothing above them.",
      severity: "error",
      from: { path: BASE },
      to: { path: "^src/", pathNot: [BASE, "^src/generated/"] },
    },
    {
      name: "judges-are-pure",
      comment: "policy/, controls/ and enrichment/ judge the model: no provider, store, output, decision, run or edge.",
      severity: "error",
      from: { path: JUDGES },
      to: { path: [PROVIDERS, STORE, OUTPUTS, DECIDE, RUN, EDGES, SERVICES, "^src/sim/"] },
    },
    {
      name: "providers-list-and-act",
      comment: "A provider lists and acts: it imports no judge, store, output, decision or run.",
      severity: "error",
      from: { path: PROVIDERS },
      to: { path: [JUDGES, STORE, OUTPUTS, DECIDE, RUN, EDGES, SERVICES, "^src/sim/"] },
    },
    {
      name: "decide-takes-ports",
      comment: "decide/ gets its stores, provider actions and notifier injected: it imports no store, output, run or edge.",
      severity: "error",
      from: { path: DECIDE },
      to: { path: [STORE, OUTPUTS, RUN, EDGES, SERVICES, "^src/sim/"] },
    },
    {
      name: "outputs-render-and-deliver",
      comment: "slack/, evidence/ and report/ import no store, run or edge.",
      severity: "error",
      from: { path: OUTPUTS },
      to: { path: [STORE, RUN, EDGES, SERVICES, "^src/sim/"] },
    },
    {
      name: "store-implements-ports",
      comment: "store/ imports no output or run.",
      severity: "error",
      from: { path: STORE },
      to: { path: [OUTPUTS, RUN, EDGES, SERVICES, "^src/sim/"] },
    },
    {
      name: "only-edges-compose",
      comment: "Only the edges (index.ts, http/, worker/, cli/) import the composition root services.ts.",
      severity: "error",
      from: { pathNot: EDGES },
      to: { path: SERVICES },
    },
    {
      name: "nothing-imports-an-edge",
      comment: "The edges sit on top: no layer below imports index.ts, http/, worker/ or cli/.",
      severity: "error",
      from: { path: "^src/", pathNot: EDGES },
      to: { path: EDGES },
    },
    {
      name: "sim-is-independent",
      comment: "A simulator is independent of the client it tests: sim/ imports nothing of providers/.",
      severity: "error",
      from: { path: "^src/sim/" },
      to: { path: PROVIDERS },
    },
    {
      name: "no-circular",
      comment: "No import circle between files.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
  },
};
