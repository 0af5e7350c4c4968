/**
 * The D1 schema the code expects: every file in migrations/, by the name wrangler records in
 * `d1_migrations` (a unit test keeps this list equal to the folder).
 */
export const EXPECTED_MIGRATIONS = ["0001_run_history.sql", "0002_evidence.sql", "0003_slack_replay.sql", "0004_accepted_exemptions.sql", "0005_remediations.sql", "0006_acceptance_events.sql", "0007_one_open_remediation.sql", "0008_watch.sql"] as const;

export const MIGRATE_COMMAND = "npx wrangler d1 migrations apply DB --remote (--local for wrangler dev)";

/** Raised when D1 answers that a table or column Keywarden needs does not exist. */
export class SchemaNotMigratedError extends Error {
  constructor(readonly missing: string[]) {
    super(`the D1 database is not migrated${missing.length > 0 ? ` (missing ${missing.join(", ")})` : ""}: run ${MIGRATE_COMMAND}`);
    this.name = "SchemaNotMigratedError";
  }
}

/** D1's error for a query against a schema that was never migrated. */
export function isUnmigratedSchemaError(error: unknown): boolean {
  return error instanceof Error && /no such (table|column)/i.test(error.message);
}

/** The migrations not applied to `db` (all of them when wrangler never ran one). */
export async function missingMigrations(db: D1Database): Promise<string[]> {
  try {
    const { results } = await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
    const applied = new Set(results.map((row) => row.name));
    return EXPECTED_MIGRATIONS.filter((name) => !applied.has(name));
  } catch (error) {
    if (isUnmigratedSchemaError(error)) return [...EXPECTED_MIGRATIONS];
    throw error;
  }
}
