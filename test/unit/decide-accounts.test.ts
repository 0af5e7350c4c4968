/**
 * With several OpenAI organizations (issue 19), a remediation acts on the organization its key was
 * listed from, and the key Keywarden must never delete is that organization's admin key: a key of
 * `openai-eu` is never listed, deleted or compared in the `openai` organization.
 */
import { describe, expect, it } from "vitest";
import { actionsFor } from "../../src/decide/actions.js";
import { keyActionsByProvider } from "../../src/decide/provider-keys.js";
import { ownAdminKeyOf } from "../../src/decide/revoke-plan.js";
import type { AccountSettings } from "../../src/config.js";
import { fakeKeys, keyRecordOf, userKeyFinding } from "./decide-support.js";

const account = (name: string, adminKey: string): AccountSettings => ({ name, provider: "openai", adminKeySecret: name.toUpperCase().replace(/-/g, "_"), adminKey, baseUrl: "https://api.openai.com/v1" });
const US = account("openai-us", "sk-admin-us-000000000000000000000000000000001");
const EU = account("openai-eu", "sk-admin-eu-000000000000000000000000000000002");
const euFinding = userKeyFinding({ key: { ...userKeyFinding().key, provider: "openai", account: "openai-eu" } });

describe("remediation across OpenAI organizations", () => {
  it("names the key's organization on the action it plans", () => {
    const [action] = actionsFor(euFinding, [keyRecordOf(euFinding)]);
    expect(action?.target.account).toBe("openai-eu");
    // One organization, keys without an account: the action is what it always was.
    expect(actionsFor(userKeyFinding(), [keyRecordOf(userKeyFinding())])[0]?.target).not.toHaveProperty("account");
  });

  it("lists and calls the key's own organization, and nothing when it is not configured", async () => {
    const us = fakeKeys([]);
    const eu = fakeKeys([keyRecordOf(euFinding)]);
    const ports = { "openai-us": us, "openai-eu": eu } as Record<string, ReturnType<typeof fakeKeys>>;
    const keys = keyActionsByProvider({ openai: (name) => (name ? (ports[name] ?? null) : null), anthropic: () => null });
    expect(await keys.freshKeysFor(euFinding, { deadlineMs: 1000 } as never)).toMatchObject({ ok: true });
    const [action] = actionsFor(euFinding, [keyRecordOf(euFinding)]);
    await keys.call(action!);
    expect(eu.calls).toHaveLength(1);
    expect(us.calls).toHaveLength(0);
    expect(us.listings).toBe(0);
    const elsewhere = userKeyFinding({ key: { ...euFinding.key, account: "openai-apac" } });
    expect(await keys.freshKeysFor(elsewhere, {} as never)).toMatchObject({ ok: false, message: expect.stringContaining('"openai-apac"') });
    expect(await keys.call({ ...action!, target: { ...action!.target, account: "openai-apac" } })).toMatchObject({ status: null });
    expect(us.calls.length + eu.calls.length).toBe(1);
  });

  it("keeps each organization's own admin key from deletion, and is unsure (so refuses) for an organization it does not know", () => {
    const settings = { accounts: [US, EU] };
    expect(ownAdminKeyOf(settings, { provider: "openai", account: "openai-eu" })).toBe(EU.adminKey);
    expect(ownAdminKeyOf(settings, { provider: "openai", account: "openai-us" })).toBe(US.adminKey);
    expect(ownAdminKeyOf(settings, { provider: "openai", account: "openai-apac" })).toBeUndefined();
    // The one organization of OPENAI_ADMIN_KEY alone: records name no account.
    const single = account("openai", "sk-admin-single-0000000000000000000000000003");
    expect(ownAdminKeyOf({ accounts: [single] }, {})).toBe(single.adminKey);
  });
});
