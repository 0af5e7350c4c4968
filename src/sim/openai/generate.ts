/**
 * Deterministic generator of large simulated organizations (for pagination,
 * concurrency and benchmark tests). Same options (including `now` and `seed`)
 * → deep-equal output. Ids are stable and unique:
 *   users        user_g00001 …            (every 20th is a service account)
 *   projects     proj_g0001 …             (every `archivedEvery`-th is archived)
 *   project keys key_g0001_0001 …         (project number, key number)
 *   project SAs  sa_g0001_1 …             (up to 3 per project)
 *   admin keys   key_admin_g0001 …
 */
import {
  DAY_SECONDS,
  unixSeconds,
  type AdminApiKeyJson,
  type ProjectApiKeyJson,
  type ProjectJson,
  type SimOrg,
  type UserJson,
} from "./org.js";

export interface GenerateOrgOptions {
  projects: number;
  keysPerProject: number;
  users: number;
  adminKeys: number;
  /** Every N-th project (N, 2N, …) is archived. Default 10; 0 = none. */
  archivedEvery?: number;
  now: Date;
  /** PRNG seed. Default 1. */
  seed?: number;
}

/** mulberry32: small, fast, good enough for fixtures. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mo", "Nina", "Omar", "Priya", "Quentin", "Rosa", "Sami", "Tara", "Uma", "Victor", "Wen", "Yara", "Zoe"];
const LAST = ["Adams", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber"];
const ADJ = ["blue", "fast", "quiet", "bright", "north", "solid", "lucky", "urban", "green", "prime"];
const NOUN = ["search", "support-bot", "analytics", "billing", "chat", "docs", "ingest", "insights", "labs", "mobile"];
const KEY_PURPOSE = ["production", "staging", "ci", "notebook", "batch-jobs", "eval-harness", "local dev", "backfill", "demo", "load-test", "cron", "prototype"];
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new RangeError(`generateOrg: ${name} must be a non-negative integer, got ${value}`);
  }
}

export function generateOrg(opts: GenerateOrgOptions): SimOrg {
  checkCount("projects", opts.projects);
  checkCount("keysPerProject", opts.keysPerProject);
  checkCount("users", opts.users);
  checkCount("adminKeys", opts.adminKeys);
  checkCount("archivedEvery", opts.archivedEvery);
  if (opts.adminKeys > 0 && opts.users === 0) {
    throw new RangeError("generateOrg: admin keys need at least one user to own them");
  }

  const rand = prng(opts.seed ?? 1);
  const nowS = unixSeconds(opts.now);
  const archivedEvery = opts.archivedEvery ?? 10;

  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const chance = (p: number): boolean => rand() < p;
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(rand() * items.length)];
    if (item === undefined) throw new Error("pick from empty list");
    return item;
  };
  /** A whole-second time in [lo, min(hi, now)]; `lo` when that range is empty. */
  const between = (lo: number, hi: number): number => {
    const top = Math.min(hi, nowS);
    return lo >= top ? lo : int(lo, top);
  };
  const suffix = (): string => Array.from({ length: 4 }, () => pick([...ALNUM])).join("");

  // Users ------------------------------------------------------------------
  const users: UserJson[] = [];
  for (let i = 0; i < opts.users; i++) {
    const id = `user_g${pad(i + 1, 5)}`;
    const addedAt = nowS - int(20, 900) * DAY_SECONDS - int(0, DAY_SECONDS - 1);
    if (i % 20 === 19) {
      users.push({
        object: "organization.user",
        id,
        name: `svc-automation-${i + 1}`,
        email: null,
        role: chance(0.5) ? "owner" : "reader",
        added_at: addedAt,
        is_service_account: true,
      });
      continue;
    }
    const first = pick(FIRST);
    const last = pick(LAST);
    let email = `${first}.${last}${i + 1}@example.com`.toLowerCase();
    if (i % 25 === 7) email = `${first}${last}${i + 1}@gmail.com`.toLowerCase(); // personal address
    if (i % 40 === 13) email = `${first}.${last}${i + 1}@EXAMPLE.com`; // odd casing
    users.push({
      object: "organization.user",
      id,
      name: `${first} ${last}`,
      email,
      role: i === 0 || chance(0.1) ? "owner" : "reader",
      added_at: addedAt,
      is_service_account: false,
    });
  }
  const humans = users.filter((u) => !u.is_service_account);
  const orgOwners = users.filter((u) => u.role === "owner");

  // Projects and their keys ---------------------------------------------------
  const projects: ProjectJson[] = [];
  const projectKeys: Record<string, ProjectApiKeyJson[]> = {};
  for (let p = 0; p < opts.projects; p++) {
    const id = `proj_g${pad(p + 1, 4)}`;
    const createdAt = nowS - int(60, 800) * DAY_SECONDS - int(0, DAY_SECONDS - 1);
    const archived = archivedEvery > 0 && (p + 1) % archivedEvery === 0;
    const archivedAt = archived ? between(createdAt + DAY_SECONDS, nowS - DAY_SECONDS) : null;
    projects.push({
      id,
      object: "organization.project",
      name: `${pick(ADJ)}-${pick(NOUN)}-${p + 1}`,
      created_at: createdAt,
      archived_at: archivedAt,
      status: archived ? "archived" : "active",
    });

    const serviceAccounts = [1, 2, 3].map((n) => ({
      id: `sa_g${pad(p + 1, 4)}_${n}`,
      name: `${pick(["deploy", "etl", "ci", "worker", "sync"])}-bot-${p + 1}-${n}`,
      created_at: between(createdAt, archivedAt ?? nowS),
    }));
    // Keys of an archived project were created (and used) before it was archived,
    // by people who were in the organization by then.
    const activeUntil = archivedAt ?? nowS;
    const eligibleHumans = humans.filter((u) => u.added_at <= activeUntil);

    const keys: ProjectApiKeyJson[] = [];
    for (let k = 0; k < opts.keysPerProject; k++) {
      const keyId = `key_g${pad(p + 1, 4)}_${pad(k + 1, 4)}`;
      const useServiceAccount = eligibleHumans.length === 0 || chance(0.25);
      const role = chance(0.3) ? "owner" : "member";
      let owner: ProjectApiKeyJson["owner"];
      let keyCreatedAt: number;
      let access: "active" | "inactive" = "active";
      if (useServiceAccount) {
        const sa = pick(serviceAccounts);
        keyCreatedAt = between(Math.max(createdAt, sa.created_at), activeUntil);
        owner = { type: "service_account", service_account: { id: sa.id, name: sa.name, created_at: sa.created_at, role } };
      } else {
        const u = pick(eligibleHumans);
        keyCreatedAt = between(Math.max(createdAt, u.added_at), activeUntil);
        owner = {
          type: "user",
          user: { id: u.id, email: u.email ?? "", name: u.name ?? "", created_at: u.added_at, role },
        };
        if (chance(0.08)) access = "inactive";
      }
      const lastUsedAt = chance(0.15) ? null : between(keyCreatedAt, activeUntil);
      keys.push({
        object: "organization.project.api_key",
        redacted_value: `${useServiceAccount ? "sk-svcacct-..." : "sk-proj-..."}${suffix()}`,
        name: `${pick(KEY_PURPOSE)} ${k + 1}`,
        created_at: keyCreatedAt,
        last_used_at: lastUsedAt,
        id: keyId,
        owner_project_access: access,
        owner,
      });
    }
    projectKeys[id] = keys;
  }

  // Admin keys -----------------------------------------------------------------
  const adminKeys: AdminApiKeyJson[] = [];
  for (let a = 0; a < opts.adminKeys; a++) {
    const o = orgOwners[a % orgOwners.length];
    if (o === undefined) throw new Error("generateOrg: no organization owner available"); // unreachable: user 1 is an owner
    const createdAt = between(o.added_at, nowS);
    const expiresAt = chance(0.5) ? null : createdAt + int(30, 365) * DAY_SECONDS;
    adminKeys.push({
      object: "organization.admin_api_key",
      id: `key_admin_g${pad(a + 1, 4)}`,
      name: `${pick(["admin", "audit", "provisioning", "billing export", "scim sync"])} ${a + 1}`,
      redacted_value: `sk-admin-...${suffix()}`,
      created_at: createdAt,
      expires_at: expiresAt,
      last_used_at: chance(0.2) ? null : between(createdAt, nowS),
      owner: o.is_service_account
        ? { type: "service_account", object: "organization.service_account", id: o.id, name: o.name ?? o.id, created_at: o.added_at, role: "owner" }
        : { type: "user", object: "organization.user", id: o.id, name: o.name ?? o.id, created_at: o.added_at, role: "owner" },
    });
  }

  return { adminKeys, projects, projectKeys, users };
}
