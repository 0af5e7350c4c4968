/**
 * The fake workspace's state: its user directory, channels, opened
 * conversations and posted messages, and the counter every id and ts comes
 * from. Unlike the records, clear() does not touch it.
 */
import type { FakeIm, FakeMessage, FakeSlackUser } from "./types.js";

export const TEAM_ID = "T00000001";
export const BOT_USER_ID = "U00000001";

export function randomHex(bytes: number): string {
  return Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, "0")).join("");
}

/** A user as the directory keeps it; throws on a malformed one. */
export function checkedUser(user: FakeSlackUser): FakeSlackUser {
  const u = user as Partial<FakeSlackUser> | null;
  if (!u || typeof u.id !== "string" || !/^[UW][A-Z0-9]+$/.test(u.id)) throw new Error(`user id must look like U… or W…: ${JSON.stringify(u?.id)}`);
  if (typeof u.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(u.email)) throw new Error(`user ${u.id}: email must be an address`);
  if (typeof u.name !== "string") throw new Error(`user ${u.id}: name must be a string`);
  return { id: u.id, email: u.email, name: u.name, ...(u.deleted === true ? { deleted: true } : {}) };
}

export class FakeWorkspace {
  /** The directory users.lookupByEmail and conversations.open read. Live array. */
  readonly users: FakeSlackUser[] = [];
  /** Every posted message, as it is now. Live array. */
  readonly messages: FakeMessage[] = [];
  private readonly messageIndex = new Map<string, FakeMessage>();
  private readonly channelIds = new Map<string, string>();
  /** Conversation key (sorted user ids) → D… or G… id. */
  private readonly conversations = new Map<string, string>();
  private counter = 0;

  /** The next number of the counter that trigger ids, message ts, file and view ids share. */
  next(): number {
    return ++this.counter;
  }

  nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(this.next()).padStart(6, "0")}`;
  }

  setUsers(next: readonly FakeSlackUser[]): void {
    const checked = next.map(checkedUser);
    this.users.length = 0;
    this.users.push(...checked);
  }

  addUsers(more: readonly FakeSlackUser[]): void {
    for (const user of more.map(checkedUser)) {
      const at = this.users.findIndex((u) => u.id === user.id);
      if (at === -1) this.users.push(user);
      else this.users[at] = user;
    }
  }

  findUser(id: string): FakeSlackUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** A C… id for a channel name (the same one each time); an id is kept as is. */
  channelId(channel: string): string {
    if (/^[CGD][A-Z0-9]+$/.test(channel)) return channel;
    const name = channel.replace(/^#/, "");
    let id = this.channelIds.get(name);
    if (!id) this.channelIds.set(name, (id = `C${String(this.channelIds.size + 1).padStart(8, "0")}`));
    return id;
  }

  /** The D… (one user) or G… (several) conversation of these users; opened on first use, then the same id. */
  conversationOf(ids: readonly string[]): { id: string; alreadyOpen: boolean } {
    const key = [...new Set(ids)].sort().join(",");
    const known = this.conversations.get(key);
    if (known) return { id: known, alreadyOpen: true };
    const id = `${ids.length === 1 ? "D" : "G"}${String(this.conversations.size + 1).padStart(8, "0")}${randomHex(2).toUpperCase()}`;
    this.conversations.set(key, id);
    return { id, alreadyOpen: false };
  }

  isOpenedConversation(id: string): boolean {
    return [...this.conversations.values()].includes(id);
  }

  /** Where chat.postMessage posts: a channel id or name, a user id (their DM), or an opened D…/G… conversation. */
  postTarget(channel: string): string | null {
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      const user = this.findUser(channel);
      return user && !user.deleted ? this.conversationOf([user.id]).id : null;
    }
    if (/^D[A-Z0-9]+$/.test(channel)) return this.isOpenedConversation(channel) ? channel : null;
    return this.channelId(channel);
  }

  /** The direct-message conversations opened so far. */
  ims(): FakeIm[] {
    return [...this.conversations.entries()].filter(([key]) => !key.includes(",")).map(([user, channel]) => ({ user, channel }));
  }

  addMessage(message: FakeMessage): void {
    this.messages.push(message);
    this.messageIndex.set(`${message.channel}/${message.ts}`, message);
  }

  findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.messageIndex.get(`${channel}/${ts}`);
  }
}
