import { z } from "zod";
import { defineRule, perRule } from "../rule-module.js";

const lowerCasedRoles = perRule((rule: { roles: string[] }) => new Set(rule.roles.map((role) => role.toLowerCase())));

export const serviceAccountRole = defineRule({
  kind: "service-account-role",
  summary: "The key is owned by a service account whose role is one of `roles`.",
  remediation: "demote the service account to member, or give it a key of its own with least privilege",
  options: z.object({
    roles: z
      .array(z.string().min(1))
      .min(1, { error: "list at least one role, e.g. [owner]" })
      .meta({ description: "Roles (case-insensitive) a service account owning a key must not have." }),
  }),
  check(key, rule) {
    const { owner } = key;
    if (owner.type !== "service_account") return null;
    // Fail closed: a service account whose role the API did not give may well hold a listed one.
    if (owner.role === null) return { sentence: `owned by service account ${owner.name ?? owner.id} whose role is unknown` };
    if (!lowerCasedRoles(rule).has(owner.role.toLowerCase())) return null;
    return { sentence: `owned by service account ${owner.name ?? owner.id} with role ${owner.role}` };
  },
});
