import { z } from "zod";

/**
 * Worker settings, read from `env` once per invocation. Errors name the setting,
 * never its value.
 */
const configSchema = z.object({
  OPENAI_ADMIN_KEY: z.string({ error: "is not set (wrangler secret put OPENAI_ADMIN_KEY)" }).min(1, { error: "is empty" }),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://api.openai.com/v1"),
  POLICY: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be a policy name such as default" })
    .default("default"),
});

export interface Config {
  openaiAdminKey: string;
  openaiBaseUrl: string;
  policy: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export function readConfig(env: Record<string, unknown>): Config {
  const parsed = configSchema.safeParse({
    OPENAI_ADMIN_KEY: env.OPENAI_ADMIN_KEY,
    OPENAI_BASE_URL: emptyToUndefined(env.OPENAI_BASE_URL),
    POLICY: emptyToUndefined(env.POLICY),
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  return {
    openaiAdminKey: parsed.data.OPENAI_ADMIN_KEY,
    openaiBaseUrl: parsed.data.OPENAI_BASE_URL,
    policy: parsed.data.POLICY,
  };
}

function emptyToUndefined(value: unknown): unknown {
  return value === "" ? undefined : value;
}
