import type { InventoryPart, WorkState } from "../inventory/work.js";

/**
 * Scratch space of a running run in R2: each inventory step's part and the queue
 * to resume from. Workflow step results are capped at 1 MiB, an inventory is not.
 */
export class WorkStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly runId: string,
  ) {}

  private key(name: string): string {
    return `work/${this.runId}/${name}.json`;
  }

  async putSlice(index: number, part: InventoryPart, state: WorkState): Promise<void> {
    await Promise.all([this.bucket.put(this.key(`part-${index}`), JSON.stringify(part)), this.bucket.put(this.key(`state-${index}`), JSON.stringify(state))]);
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

  private async read<T>(name: string): Promise<T> {
    const object = await this.bucket.get(this.key(name));
    if (!object) throw new Error(`work file ${name} of run ${this.runId} is missing`);
    return (await object.json()) as T;
  }
}
