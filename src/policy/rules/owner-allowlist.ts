import { z } from "zod";
import type { KeyOwner } from "../../model/inventory.js";
import { compileGlobs } from "../../util/glob.js";
import { defineRule, perRule } from "../rule-module.js";

const globList = (description: string) => z.array(z.string().min(1)).optional().meta({ description });

export const allowSchema = z
  .strictObject({
    emails: globList('User emails, e.g. "*@example.com".'),
    user_ids: globList("User ids, for users without an email or exceptions by id."),
    service_accounts: globList('Service-account names or ids, e.g. "ci-*".'),
  })
  .refine((allow) => allow.emails !== undefined || allow.user_ids !== undefined || allow.service_accounts !== undefined, {
    error: "allow needs at least one of emails, user_ids, service_accounts",
  })
  .meta({ description: "Who may own keys. Globs: * any run of characters, ? one character; anchored, case-insensitive." });

type Allow = z.output<typeof allowSchema>;

const compileAllowlist = perRule((rule: { allow: Allow }) => ({
  email: compileGlobs(rule.allow.emails),
  userId: compileGlobs(rule.allow.user_ids),
  serviceAccount: compileGlobs(rule.allow.service_accounts),
}));

export const ownerAllowlist = defineRule({
  kind: "owner-allowlist",
  summary: "The key's owner (Anthropic: its principal, else its creator) matches none of the allowed user emails, user ids or service accounts.",
  remediation: "move the key to an approved owner or revoke it",
  options: z.object({ allow: allowSchema }),
  check(key, rule) {
    const allowed = compileAllowlist(rule);
    const { owner } = key;
    if (owner.type === "service_account") {
      if (allowed.serviceAccount(owner.name) || allowed.serviceAccount(owner.id)) return null;
      return { sentence: `owner ${owner.name ?? owner.id} (service account) is not in the allowlist` };
    }
    // A user without an email can only pass by id: a missing email never matches an email glob.
    if (allowed.email(owner.email) || allowed.userId(owner.id)) return null;
    if (key.owner_source === "unknown") return { sentence: "no owner is known (the key has neither a principal nor a creator), so none is in the allowlist" };
    return { sentence: describeUserOutsideAllowlist(owner) };
  },
});

function describeUserOutsideAllowlist(owner: KeyOwner): string {
  if (owner.email === null) return `owner ${owner.name ? `${owner.name} (${owner.id})` : owner.id} has no email and is not in the allowlist`;
  return `owner ${owner.email} (user) is not in the allowlist`;
}
