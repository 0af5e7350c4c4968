/**
 * Remembers each accepted Slack signature until its timestamp leaves the replay window, so the same
 * signed request is honoured once. The insert is the check: a second one hits the primary key.
 */
export class SlackReplayGuard {
  constructor(private readonly db: D1Database) {}

  /** true the first time this signature is seen within its window; false for a replay. */
  async firstUse(signature: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    const [, inserted] = await this.db.batch([
      this.db.prepare("DELETE FROM slack_request_signatures WHERE expires_at < ?").bind(nowSeconds),
      this.db.prepare("INSERT OR IGNORE INTO slack_request_signatures (signature, expires_at) VALUES (?, ?)").bind(signature, expiresAt),
    ]);
    return (inserted?.meta.changes ?? 0) === 1;
  }
}
