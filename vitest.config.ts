import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { FAKE_SLACK_TOKEN } from "./src/sim/slack-server.js";
import { freePorts } from "./test/support/free-port.js";

/**
 * Lines the local Workflows emulation prints as "uncaught" when a test does on purpose what
 * production code does too: look up an instance that was never created, terminate a hung one.
 * And Vite's warning that the source maps of @slack/web-api and of standardwebhooks (a dependency of
 * @anthropic-ai/sdk) name TypeScript sources the packages do not ship (vitest replaces any customLogger, so it is dropped here). Exactly these lines are dropped;
 * any other uncaught exception or warning is still printed.
 */
const EXPECTED_EMULATOR_LINES = [
  /^uncaught exception; source = Uncaught \(in promise\); stack = Error: (Engine was never started|instance\.not_found)$/,
  /^uncaught exception; exception = workerd\/api\/actor-state\.c\+\+:\d+: failed: broken\.outputGateBroken; jsg\.Error: Aborting engine: User called terminate$/,
  /^Sourcemap for "[^"]*\/node_modules\/(@slack\/web-api|standardwebhooks)\/dist\/[^"]*" points to missing source files$/,
];
function dropExpectedEmulatorLines(): void {
  // The emulator's plain-text lines reach the plugin as "log" level and are written to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      // One chunk is one message: its first line, then the emulator's own stack.
      if (typeof chunk === "string" && EXPECTED_EMULATOR_LINES.some((line) => line.test(chunk.split("\n")[0] ?? ""))) return true;
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/**
 * Inside workerd the Worker bundles the shipped policies plus the test-only ones of
 * test/worker/test-policies.ts (which itself imports the shipped bundle): a deployment never gains them.
 */
function withTestPolicies(): Plugin {
  const testBundle = fileURLToPath(new URL("./test/worker/test-policies.ts", import.meta.url));
  return {
    name: "keywarden-test-policies",
    enforce: "pre",
    resolveId(source, importer) {
      if (/\/generated\/policies(\.js|\.ts)?$/.test(source) && importer !== testBundle) return testBundle;
      return null;
    },
  };
}

export default defineConfig(async () => {
  dropExpectedEmulatorLines();
  // The simulators run in Node (test/worker/global-setup.ts) on these ports; the Worker's
  // bindings point at them, so the Workflow reaches them like it would reach OpenAI and Slack.
  const [simPort, slackPort] = await freePorts(2);
  process.env.KEYWARDEN_TEST_SIM_PORT ??= String(simPort);
  process.env.KEYWARDEN_TEST_SLACK_PORT ??= String(slackPort);
  const migrations = await readD1Migrations("./migrations");
  // The Worker's secrets come from the bindings below, not .dev.vars: wrangler's "Missing required
  // secrets" warning would be noise in every test run.
  process.env.WRANGLER_LOG ??= "error";
  return {
    test: {
      // The Worker logs every run it finishes and every retry; in workerd tests those lines are the
      // expected outcome of what the test provoked, so they are dropped (a test that cares spies on
      // console). KEYWARDEN_TEST_LOGS=1 shows them; every other line is printed as usual.
      onConsoleLog(log: string, _type: "stdout" | "stderr", entity?: { project: { name: string } }) {
        if (process.env.KEYWARDEN_TEST_LOGS) return;
        if (entity?.project.name === "worker" && /^keywarden[ :]/.test(log)) return false;
        // The decide use cases log the same decision lines in Node (test/unit/decide-*.test.ts).
        if (/^keywarden: (rem|acc)_[0-9a-f]+: /.test(log)) return false;
      },
      projects: [
        {
          test: {
            name: "unit",
            include: ["test/unit/**/*.test.ts"],
            environment: "node",
            // Property tests take 1-2 s alone and run beside workerd on a 2-core CI box: 5 s is too
            // close. Time limits that are behaviour (alias bombs, benchmarks) are asserted in the tests.
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            withTestPolicies(),
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // A database no migration ever ran on: what a deployment that skipped the migrate step has.
                d1Databases: { UNMIGRATED_DB: "keywarden-unmigrated" },
                bindings: {
                  OPENAI_ADMIN_KEY: "sk-admin-sim-worker-tests-000000000000",
                  OPENAI_BASE_URL: `http://127.0.0.1:${process.env.KEYWARDEN_TEST_SIM_PORT}/v1`,
                  AUDIT_API_TOKEN: "test-api-token-0123456789abcdef",
                  AUDIT_SUBREQUESTS_PER_STEP: "45",
                  SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
                  SLACK_CHANNEL: "C0KEYWARDEN",
                  SLACK_API_URL: `http://127.0.0.1:${process.env.KEYWARDEN_TEST_SLACK_PORT}/api/`,
                  SLACK_SIGNING_SECRET: "test-signing-secret-8f742231b10e8888",
                  SLACK_RESPONSE_URL_PREFIX: `http://127.0.0.1:${process.env.KEYWARDEN_TEST_SLACK_PORT}/response/`,
                  SLACK_ALLOWED_USERS: "U_ALLOWED, U_SECOND",
                  // A throwaway Ed25519 key (PKCS#8, base64) made for these tests only.
                  EVIDENCE_SIGNING_KEY: "MC4CAQAwBQYDK2VwBCIEIAecrjG339RbfXFrvHXf0UlpANJpoyzF4+LtXB1Ju3Tn",
                  TEST_MIGRATIONS: migrations,
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            globalSetup: ["test/worker/global-setup.ts"],
            setupFiles: ["test/worker/apply-migrations.ts"],
            // The simulators are shared: files that inject faults must not overlap.
            fileParallelism: false,
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});
