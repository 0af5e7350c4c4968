/**
 * Bindings that fail on purpose, for the fault matrix (fault-matrix.test.ts, docs/reliability.md).
 *
 * - `failingD1` / `failingR2` wrap the real miniflare D1 database and R2 bucket and throw on chosen
 *   calls: before the call is made (the database or bucket never saw it) or after it was made (it was
 *   applied, then its answer was lost: a connection reset after the commit).
 * - `failingWorkflow` wraps the Workflow binding (create refused).
 * - `ReplayingWorkflow` is a Workflow binding that runs the real `AuditWorkflow` in this isolate, with
 *   any env (wrapped bindings included), under a small durable-execution engine with the semantics of
 *   Cloudflare Workflows that the run relies on: a step's result is kept by name and occurrence and
 *   replayed, a step that throws is tried again `retries.limit` more times, sleeps are instant, and an
 *   isolate lost mid-step re-runs that step from the start. It can "lose the isolate" on purpose right
 *   after a step's body returned and before its result was kept: the side effects are done, the
 *   engine does not know it, so the restarted run executes that body a second time.
 *
 * The real Workflows engine of miniflare cannot do these two things: it gives the Workflow the env of
 * the runtime (so its bindings cannot be wrapped) and its mocks replace a step's body (so a failure can
 * never come after the body's side effects).
 */
import { createExecutionContext } from "cloudflare:test";
import type { WorkflowEvent, WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import { type AuditParams, AuditWorkflow } from "../../src/worker/workflow.js";

/** "before": the call is not made; "after": the call is made, then its answer is lost. */
export type FaultTiming = "before" | "after";

interface FaultBase {
  /** How many matching calls fail; default: every one. */
  times?: number;
  /** Only while this answers true (an outage that starts or ends with something else); default always. */
  onlyIf?: () => boolean;
  when?: FaultTiming;
  /** The error's message; default names the binding and the call. */
  message?: string;
}

export interface D1Fault extends FaultBase {
  /** Matched against the SQL text of each statement (a batch fails when any of its statements matches). */
  failOn: RegExp;
}

export type R2Operation = "put" | "get" | "head" | "list" | "delete";

export interface R2Fault extends FaultBase {
  failOn: R2Operation | R2Operation[];
  /** Only calls on matching keys (the prefix for list); default every key. */
  key?: RegExp;
  /** get/head: answer null (the object is gone) instead of throwing. */
  missing?: boolean;
}

/** What a wrapped binding did, and a way to end its faults (the outage is over). */
export interface FaultLog {
  /** Every injected failure, as "<binding> <call> <what>". */
  readonly injected: string[];
  /** Disarms every fault: from now on each call goes through. */
  heal(): void;
}

class Armed<F extends FaultBase> {
  private remaining: number;
  constructor(readonly fault: F) {
    this.remaining = fault.times ?? Number.POSITIVE_INFINITY;
  }
  take(): boolean {
    if (this.remaining <= 0 || this.fault.onlyIf?.() === false) return false;
    this.remaining--;
    return true;
  }
  disarm(): void {
    this.remaining = 0;
  }
}

async function inject<T>(armed: Armed<FaultBase> | undefined, log: string[], what: string, message: string, call: () => Promise<T>): Promise<T> {
  if (!armed) return call();
  log.push(what);
  if (armed.fault.when === "after") await call();
  throw new Error(armed.fault.message ?? message);
}

/** D1 that throws on the statements whose SQL matches a fault. */
export function failingD1(db: D1Database, ...faults: D1Fault[]): D1Database & FaultLog {
  const armed = faults.map((f) => new Armed(f));
  const injected: string[] = [];
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();
  const pick = (sqls: string[]) => armed.find((a) => sqls.some((sql) => a.fault.failOn.test(sql)) && a.take());
  const guard = <T>(sqls: string[], call: () => Promise<T>) => {
    const chosen = pick(sqls);
    const hit = oneLine((chosen && sqls.find((sql) => chosen.fault.failOn.test(sql))) ?? "");
    return inject(chosen, injected, `D1 ${hit}`, `D1_ERROR: injected fault: ${hit}`, call);
  };
  const statement = (inner: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const wrapped = {
      bind: (...values: unknown[]) => statement(inner.bind(...values), sql),
      first: (column?: string) => guard([sql], () => (column === undefined ? inner.first() : inner.first(column))),
      run: () => guard([sql], () => inner.run()),
      all: () => guard([sql], () => inner.all()),
      raw: (options?: { columnNames?: boolean }) => guard([sql], () => inner.raw(options as { columnNames?: false })),
    };
    real.set(wrapped, inner);
    sqlOf.set(wrapped, sql);
    return wrapped as unknown as D1PreparedStatement;
  };
  const wrapped = {
    injected,
    heal: () => {
      for (const a of armed) a.disarm();
    },
    prepare: (sql: string) => statement(db.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) =>
      guard(
        statements.map((s) => sqlOf.get(s) ?? ""),
        () => db.batch(statements.map((s) => real.get(s) ?? s)),
      ),
    exec: (sql: string) => guard([sql], () => db.exec(sql)),
    withSession: () => {
      throw new Error("failingD1: sessions are not wrapped");
    },
    dump: () => db.dump(),
  };
  return wrapped as unknown as D1Database & FaultLog;
}

/** R2 that throws (or answers "not found") on the operations and keys of a fault. */
export function failingR2(bucket: R2Bucket, ...faults: R2Fault[]): R2Bucket & FaultLog {
  const armed = faults.map((f) => new Armed(f));
  const injected: string[] = [];
  const pick = (operation: R2Operation, key: string) =>
    armed.find((a) => [a.fault.failOn].flat().includes(operation) && (a.fault.key?.test(key) ?? true) && a.take());
  const guard = <T>(operation: R2Operation, key: string, call: () => Promise<T>): Promise<T> => {
    const chosen = pick(operation, key);
    if (chosen?.fault.missing && (operation === "get" || operation === "head")) {
      injected.push(`R2 ${operation} ${key} (missing)`);
      return Promise.resolve(null as T);
    }
    return inject(chosen, injected, `R2 ${operation} ${key}`, `R2 ${operation} failed: injected fault on ${key} (internal error)`, call);
  };
  const wrapped = {
    injected,
    heal: () => {
      for (const a of armed) a.disarm();
    },
    head: (key: string) => guard("head", key, () => bucket.head(key)),
    get: (key: string, options?: R2GetOptions) => guard("get", key, () => bucket.get(key, options)),
    put: (key: string, value: Parameters<R2Bucket["put"]>[1], options?: R2PutOptions) => guard("put", key, () => bucket.put(key, value, options)),
    delete: (keys: string | string[]) => guard("delete", [keys].flat().join(","), () => bucket.delete(keys)),
    list: (options?: R2ListOptions) => guard("list", options?.prefix ?? "", () => bucket.list(options)),
    createMultipartUpload: (key: string, options?: R2MultipartOptions) => bucket.createMultipartUpload(key, options),
    resumeMultipartUpload: (key: string, uploadId: string) => bucket.resumeMultipartUpload(key, uploadId),
  };
  return wrapped as unknown as R2Bucket & FaultLog;
}

/** A Workflow binding whose create() is refused (the Workflows service down), get() passed through. */
export function failingWorkflow(binding: Workflow, message = "workflow.create failed: injected fault (service unavailable)"): Workflow & FaultLog {
  const injected: string[] = [];
  let healed = false;
  const wrapped = {
    injected,
    heal: () => {
      healed = true;
    },
    get: (id: string) => binding.get(id),
    create: (options?: WorkflowInstanceCreateOptions) => {
      if (healed) return binding.create(options);
      injected.push(`Workflow create ${options?.id ?? ""}`);
      return Promise.reject(new Error(message));
    },
    createBatch: () => Promise.reject(new Error(message)),
  };
  return wrapped as unknown as Workflow & FaultLog;
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim().slice(0, 80);
}

type Kept = { value: unknown } | { error: Error };

/** The outcome of one instance: its output, or the error it ended with; and how it got there. */
export interface ReplayOutcome {
  status: "complete" | "errored";
  output?: unknown;
  error?: Error;
  /** Isolates lost on purpose (each one restarted the run from its kept steps). */
  restarts: number;
  /** Every step body executed, in order ("<name>" once per execution, replays included). */
  bodies: string[];
}

/**
 * A Workflow binding that runs AuditWorkflow in this isolate with the given env (see the file comment).
 * `crashAfter`: step names after whose body the isolate is lost, once each.
 */
export class ReplayingWorkflow {
  private readonly instances = new Map<string, { promise: Promise<ReplayOutcome>; outcome?: ReplayOutcome }>();
  private readonly crashes: Set<string>;
  /** The step whose body is running now (for faults that last as long as one step: `onlyIf`). */
  current: string | undefined;

  constructor(
    private readonly env: Env,
    options: { crashAfter?: string[] } = {},
  ) {
    this.crashes = new Set(options.crashAfter ?? []);
  }

  get binding(): Workflow<AuditParams> {
    const binding = {
      create: async (options?: { id?: string; params?: AuditParams }) => {
        const id = options?.id;
        const params = options?.params;
        if (!id || !params) throw new Error("ReplayingWorkflow: create needs an id and params");
        if (this.instances.has(id)) throw new Error(`instance.already_exists: ${id}`);
        const entry: { promise: Promise<ReplayOutcome>; outcome?: ReplayOutcome } = { promise: this.drive(id, params) };
        entry.promise = entry.promise.then((outcome) => (entry.outcome = outcome));
        this.instances.set(id, entry);
        return this.handle(id);
      },
      get: async (id: string) => {
        if (!this.instances.has(id)) throw new Error("instance.not_found");
        return this.handle(id);
      },
    };
    return binding as unknown as Workflow<AuditParams>;
  }

  /** Waits for the instance to end. */
  async finished(id: string): Promise<ReplayOutcome> {
    const entry = this.instances.get(id);
    if (!entry) throw new Error(`ReplayingWorkflow: no instance ${id}`);
    return entry.promise;
  }

  private handle(id: string): WorkflowInstance {
    return {
      id,
      status: async () => ({ status: this.instances.get(id)?.outcome?.status ?? "running" }),
      terminate: async () => {
        throw new Error("ReplayingWorkflow: terminate is not supported");
      },
    } as unknown as WorkflowInstance;
  }

  private async drive(id: string, params: AuditParams): Promise<ReplayOutcome> {
    const kept = new Map<string, Kept>();
    const bodies: string[] = [];
    const event = { payload: params, timestamp: new Date(), instanceId: id } as unknown as WorkflowEvent<AuditParams>;
    for (let restarts = 0; ; restarts++) {
      if (restarts > 10) throw new Error("ReplayingWorkflow: the run keeps losing its isolate");
      let lost!: () => void;
      const isolateLost = new Promise<"lost">((resolve) => (lost = () => resolve("lost")));
      const step = new ReplayStep(kept, bodies, {
        running: (name) => {
          this.current = name;
        },
        loseIsolateAfter: (name) => {
          if (!this.crashes.delete(name)) return false;
          lost();
          return true;
        },
      });
      // A new isolate: a new instance of the class, the same env, the same kept steps. (The runtime's
      // constructor accepts only the runtime's own ExecutionContext: the fields it sets are set here.)
      const workflow = Object.assign(Object.create(AuditWorkflow.prototype) as AuditWorkflow, { env: this.env, ctx: createExecutionContext() });
      const run = workflow.run(event, step as unknown as WorkflowStep).then(
        (output): ReplayOutcome => ({ status: "complete", output, restarts, bodies }),
        (error: unknown): ReplayOutcome => ({ status: "errored", error: error instanceof Error ? error : new Error(String(error)), restarts, bodies }),
      );
      const ended = await Promise.race([run, isolateLost]);
      if (ended !== "lost") return ended;
    }
  }
}

class ReplayStep {
  private readonly occurrences = new Map<string, number>();

  constructor(
    private readonly kept: Map<string, Kept>,
    private readonly bodies: string[],
    private readonly hooks: { running: (name: string | undefined) => void; loseIsolateAfter: (name: string) => boolean },
  ) {}

  async do<T>(name: string, configOrBody: WorkflowStepConfig | (() => Promise<T>), maybeBody?: () => Promise<T>): Promise<T> {
    const body = typeof configOrBody === "function" ? configOrBody : maybeBody;
    const config = typeof configOrBody === "function" ? {} : configOrBody;
    if (!body) throw new Error(`step ${name} has no body`);
    const occurrence = (this.occurrences.get(name) ?? 0) + 1;
    this.occurrences.set(name, occurrence);
    const key = `${name}#${occurrence}`;
    const previous = this.kept.get(key);
    if (previous) {
      if ("error" in previous) throw previous.error;
      return structuredClone(previous.value) as T;
    }
    // Workflows' default is 5 retries; each step of the audit sets its own.
    const attempts = (config.retries?.limit ?? 5) + 1;
    let failure: Error = new Error(`step ${name} never ran`);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.bodies.push(name);
      this.hooks.running(name);
      let value: T;
      try {
        value = await body();
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        continue;
      } finally {
        this.hooks.running(undefined);
      }
      // The body's side effects are done; the isolate goes before the engine keeps its result.
      if (this.hooks.loseIsolateAfter(name)) return new Promise<never>(() => {});
      this.kept.set(key, { value: structuredClone(value) });
      return structuredClone(value);
    }
    this.kept.set(key, { error: failure });
    throw failure;
  }

  async sleep(_name: string, _duration: unknown): Promise<void> {}

  async sleepUntil(_name: string, _timestamp: unknown): Promise<void> {}

  async waitForEvent(): Promise<never> {
    throw new Error("ReplayingWorkflow: waitForEvent is not used by the audit");
  }
}
