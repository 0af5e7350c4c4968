/**
 * A D1Database for Node tests, over node:sqlite (the same SQLite D1 runs): the subset Keywarden's
 * stores use — prepare/bind/first/all/run and batch (one transaction) — with the real migrations
 * applied, so step bodies are tested fast in Node against real SQL.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

const require = createRequire(import.meta.url);

/** node:sqlite warns once that it is experimental; that line is noise in a test run. */
function openDatabase(): DatabaseSync {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("SQLite is an experimental feature")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const { DatabaseSync } = require("node:sqlite") as typeof import("node:sqlite");
    return new DatabaseSync(":memory:");
  } finally {
    process.emitWarning = emitWarning;
  }
}

export interface SqliteD1 {
  db: D1Database;
  /** Makes every statement whose SQL matches fail, as an unreachable D1 would. */
  failOn(pattern: RegExp | null): void;
}

export function sqliteD1(options: { migrate?: boolean } = {}): SqliteD1 {
  const sqlite = openDatabase();
  let failing: RegExp | null = null;
  if (options.migrate ?? true) {
    const dir = join(import.meta.dirname, "../../migrations");
    sqlite.exec("CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
      sqlite.exec(readFileSync(join(dir, file), "utf8"));
      sqlite.prepare("INSERT INTO d1_migrations (name) VALUES (?)").run(file);
    }
  }

  class Statement {
    constructor(
      readonly sql: string,
      readonly params: SQLInputValue[] = [],
    ) {}
    bind(...params: unknown[]): Statement {
      return new Statement(this.sql, params.map((p) => (typeof p === "boolean" ? Number(p) : (p as SQLInputValue))));
    }
    private check(): void {
      if (failing?.test(this.sql)) throw new Error(`D1_ERROR: injected failure for: ${this.sql.slice(0, 60)}`);
    }
    async first<T>(): Promise<T | null> {
      this.check();
      return (sqlite.prepare(this.sql).get(...this.params) as T | undefined) ?? null;
    }
    async all<T>(): Promise<{ results: T[]; success: true; meta: Record<string, unknown> }> {
      this.check();
      return { results: sqlite.prepare(this.sql).all(...this.params) as T[], success: true, meta: {} };
    }
    async run(): Promise<{ success: true; meta: { changes: number }; results: [] }> {
      return this.runSync();
    }
    runSync(): { success: true; meta: { changes: number }; results: [] } {
      this.check();
      const result = sqlite.prepare(this.sql).run(...this.params);
      return { success: true, meta: { changes: Number(result.changes) }, results: [] };
    }
  }

  const db = {
    prepare: (sql: string) => new Statement(sql),
    async batch(statements: Statement[]) {
      sqlite.exec("BEGIN");
      try {
        const results = statements.map((s) => s.runSync());
        sqlite.exec("COMMIT");
        return results;
      } catch (error) {
        sqlite.exec("ROLLBACK");
        throw error;
      }
    },
    async exec(sql: string) {
      sqlite.exec(sql);
      return { count: 1, duration: 0 };
    },
  };
  return { db: db as unknown as D1Database, failOn: (pattern) => void (failing = pattern) };
}
