/**
 * The control frameworks a policy rule may map to (`controls:`), and the controls of each that
 * an API-key audit can speak to. A rule naming a framework or control that is not here is refused
 * by the policy check, so a typo never reaches an auditor.
 *
 * Framework ids (the keys of `controls:` in a policy): soc2, iso27001, nist80053, cis, pcidss.
 * Control ids are written as each framework writes them (CC6.1, A.5.15, AC-2(3), 5.3, 8.2.6).
 * Titles are short: the framework's own control name where it has one (ISO, NIST, CIS), a faithful
 * summary of the criterion or requirement where it has none (SOC 2, PCI DSS).
 *
 * Which rule tests which control follows docs/controls.md (sources: Prowler's compliance mappings,
 * NIST SP 800-53 r5, CIS Controls v8.1, PCI DSS v4.0).
 */

export const FRAMEWORK_IDS = ["soc2", "iso27001", "nist80053", "cis", "pcidss"] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

export interface Control {
  id: string;
  title: string;
  /** Where the control is defined. */
  source: string;
}

export interface Framework {
  id: FrameworkId;
  name: string;
  /** The document the controls are taken from. */
  source: string;
  controls: readonly Control[];
}

const SOC2_SOURCE = "AICPA, 2017 Trust Services Criteria (with revised points of focus, 2022)";
const ISO_SOURCE = "ISO/IEC 27001:2022, Annex A, https://www.iso.org/standard/27001";
const NIST_SOURCE = "NIST SP 800-53 Rev. 5, https://doi.org/10.6028/NIST.SP.800-53r5";
const CIS_SOURCE = "CIS Critical Security Controls v8.1, https://www.cisecurity.org/controls/v8-1";
const PCI_SOURCE = "PCI DSS v4.0, Requirement 8, https://www.pcisecuritystandards.org/document_library/";

const controls = (source: string, list: readonly [id: string, title: string][]): Control[] => list.map(([id, title]) => ({ id, title, source }));

export const FRAMEWORKS: readonly Framework[] = [
  {
    id: "soc2",
    name: "SOC 2",
    source: SOC2_SOURCE,
    // CC6.5 (disposal of physical assets) is not about credentials and is left out on purpose.
    controls: controls(SOC2_SOURCE, [
      ["CC6.1", "Logical access security over protected information assets"],
      ["CC6.2", "Users registered and authorized before credentials are issued; credentials removed when access is no longer authorized"],
      ["CC6.3", "Access authorized, modified and removed by role, with least privilege and segregation of duties"],
    ]),
  },
  {
    id: "iso27001",
    name: "ISO/IEC 27001:2022",
    source: ISO_SOURCE,
    controls: controls(ISO_SOURCE, [
      ["A.5.15", "Access control"],
      ["A.5.16", "Identity management"],
      ["A.5.17", "Authentication information"],
      ["A.5.18", "Access rights"],
      ["A.8.2", "Privileged access rights"],
      ["A.8.5", "Secure authentication"],
    ]),
  },
  {
    id: "nist80053",
    name: "NIST SP 800-53 Rev. 5",
    source: NIST_SOURCE,
    // Enhancements that are numbered controls of their own (AC-2(3), AC-6(5)) are listed; the
    // lettered items of a control's statement are not: "IA-5(f)" (change or refresh authenticators)
    // is IA-5, "AC-2(3)(b)" and "AC-2(3)(d)" (no longer associated with a user; inactive) are AC-2(3).
    controls: controls(NIST_SOURCE, [
      ["AC-2", "Account Management"],
      ["AC-2(3)", "Account Management | Disable Accounts"],
      ["AC-6", "Least Privilege"],
      ["AC-6(5)", "Least Privilege | Privileged Accounts"],
      ["IA-5", "Authenticator Management"],
    ]),
  },
  {
    id: "cis",
    name: "CIS Controls v8.1",
    source: CIS_SOURCE,
    controls: controls(CIS_SOURCE, [
      ["5.1", "Establish and Maintain an Inventory of Accounts"],
      ["5.3", "Disable Dormant Accounts"],
      ["5.4", "Restrict Administrator Privileges to Dedicated Administrator Accounts"],
      ["5.5", "Establish and Maintain an Inventory of Service Accounts"],
      ["6.2", "Establish an Access Revoking Process"],
    ]),
  },
  {
    id: "pcidss",
    name: "PCI DSS v4.0",
    source: PCI_SOURCE,
    controls: controls(PCI_SOURCE, [
      ["8.2.2", "Group, shared or generic accounts and credentials used only when necessary, and managed"],
      ["8.2.4", "Addition, deletion and modification of user IDs and authentication factors are authorized"],
      ["8.2.5", "Access for terminated users is immediately revoked"],
      ["8.2.6", "Inactive user accounts are removed or disabled within 90 days of inactivity"],
      ["8.3.9", "Passwords used as the only factor are changed at least every 90 days, or access is analyzed dynamically"],
      ["8.6.1", "Interactive use of system and application accounts is managed"],
      ["8.6.2", "Passwords of system and application accounts are not hard coded in scripts, files or source code"],
      ["8.6.3", "Passwords of system and application accounts are protected against misuse and changed periodically"],
    ]),
  },
];

const byId = new Map<string, Framework>(FRAMEWORKS.map((framework) => [framework.id, framework]));

export function frameworkOf(id: string): Framework | undefined {
  return byId.get(id);
}

export function isFrameworkId(id: string): id is FrameworkId {
  return byId.has(id);
}

/** The catalogue's control with this id, exactly as written, if any. */
export function controlOf(framework: string, id: string): Control | undefined {
  return byId.get(framework)?.controls.find((control) => control.id === id);
}

/**
 * The control an author probably meant by an id the catalogue does not have: the same once case,
 * spaces and ISO's "A." prefix are ignored ("cc6.2" → CC6.2, "5.18" → A.5.18, "ac-2 (3)" → AC-2(3)).
 */
export function closestControl(framework: string, id: string): Control | undefined {
  const wanted = looseId(id);
  return byId.get(framework)?.controls.find((control) => looseId(control.id) === wanted);
}

function looseId(id: string): string {
  return id.toLowerCase().replace(/\s+/g, "").replace(/^a\./, "");
}

const position = new Map<string, number>(FRAMEWORKS.flatMap((framework) => framework.controls.map((control) => `${framework.id} ${control.id}`)).map((key, index) => [key, index]));

/** Catalogue order: frameworks, then their controls, as listed above; ids the catalogue does not have (a run recorded by another version) last, by text. */
export function compareControls(a: { framework: string; control_id: string }, b: { framework: string; control_id: string }): number {
  const [pa, pb] = [a, b].map((c) => position.get(`${c.framework} ${c.control_id}`) ?? Number.POSITIVE_INFINITY) as [number, number];
  if (pa !== pb) return pa < pb ? -1 : 1;
  return compareText(a.framework, b.framework) || compareText(a.control_id, b.control_id);
}

/** By UTF-16 code units, the same in every locale and runtime. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
