import type { AccountPart, RunWorkState } from "../providers/index.js";

/**
 * A running run's JSON files in R2, under `work/<run id>/`, so the run's clean-up
 * (WorkStore.clear) removes them all.
 */
export class RunWorkFiles {
  constructor(
    protected readonly bucket: R2Bucket,
    protected readonly runId: string,
  ) {}

  protected key(name: string): string {
    return `work/${this.runId}/${name}.json`;
  }

  protected async write(name: string, value: unknown): Promise<void> {
    await this.bucket.put(this.key(name), JSON.stringify(value));
  }

  /** The file `name`; throws when it is missing. */
  protected async read<T>(name: string): Promise<T> {
    const object = await this.bucket.get(this.key(name));
    if (!object) throw new Error(`work file ${name} of run ${this.runId} is missing`);
    return (await object.json()) as T;
  }

  /** The file `name`, or null when there is none. */
  protected async readIfAny<T>(name: string): Promise<T | null> {
    const object = await this.bucket.get(this.key(name));
    return object ? ((await object.json()) as T) : null;
  }
}

/**
 * Scratch space of a running run in R2: what each inventory step read and where every account stands
 * after it. One layout for any number of accounts: `part-<i>.json`, the parts of the accounts step i
 * read (each naming its account), and `state-<i>.json`, every account's state after it. Workflow
 * step results are capped at 1 MiB, an inventory is not.
 */
export class WorkStore extends RunWorkFiles {
  async putSlice(index: number, parts: readonly AccountPart[], state: RunWorkState): Promise<void> {
    await Promise.all([this.write(`part-${index}`, parts), this.write(`state-${index}`, state)]);
  }

  async state(index: number): Promise<RunWorkState> {
    const state = await this.read<RunWorkState>(`state-${index}`);
    if (!Array.isArray(state?.accounts)) throw this.olderVersion(`state-${index}`);
    return state;
  }

  /** Every part of the first `count` steps, in step order. */
  async parts(count: number): Promise<AccountPart[]> {
    const slices = await Promise.all(Array.from({ length: count }, (_, i) => this.read<AccountPart[]>(`part-${i}`)));
    const stale = slices.findIndex((parts) => !Array.isArray(parts));
    if (stale >= 0) throw this.olderVersion(`part-${stale}`);
    return slices.flat();
  }

  /** A run started by a version that kept one account's files (a deploy mid-run): it cannot go on, and says why. */
  private olderVersion(name: string): Error {
    return new Error(`work file ${name} of run ${this.runId} was written by an older version of Keywarden (before accounts): run the audit again`);
  }

  async clear(): Promise<void> {
    for (;;) {
      const listed = await this.bucket.list({ prefix: `work/${this.runId}/` });
      if (listed.objects.length === 0) return;
      await this.bucket.delete(listed.objects.map((o) => o.key));
      if (!listed.truncated) return;
    }
  }
}
