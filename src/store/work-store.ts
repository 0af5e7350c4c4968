import type { InventoryPart, WorkState } from "../providers/openai/inventory-work.js";

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
 * Scratch space of a running run in R2: each inventory step's part and the queue
 * to resume from. Workflow step results are capped at 1 MiB, an inventory is not.
 */
export class WorkStore extends RunWorkFiles {
  async putSlice(index: number, part: InventoryPart, state: WorkState): Promise<void> {
    await Promise.all([this.write(`part-${index}`, part), this.write(`state-${index}`, state)]);
  }

  async state(index: number): Promise<WorkState> {
    return this.read<WorkState>(`state-${index}`);
  }

  async parts(count: number): Promise<InventoryPart[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => this.read<InventoryPart>(`part-${i}`)));
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
