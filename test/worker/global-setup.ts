import type { TestProject } from "vitest/node";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { startSimulator } from "../../src/sim/server.js";
import { startFakeSlack } from "../../src/sim/slack-server.js";

/** The Admin API simulator runs in Node; tests inside workerd reach it over loopback HTTP. */
export const SIM_ADMIN_KEY = "sk-admin-sim-worker-tests-000000000000";

export default async function setup(project: TestProject) {
  const sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: SIM_ADMIN_KEY, port: Number(process.env.KEYWARDEN_TEST_SIM_PORT) });
  project.provide("simUrl", sim.url);
  project.provide("simAdminKey", SIM_ADMIN_KEY);
  const slack = await startFakeSlack({ port: Number(process.env.KEYWARDEN_TEST_SLACK_PORT) });
  project.provide("slackUrl", slack.url);
  project.provide("slackToken", slack.token);
  return async () => {
    await slack.close();
    await sim.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    simUrl: string;
    simAdminKey: string;
    /** The fake Slack Web API (src/sim/slack-server.ts), ending with `/api/`. */
    slackUrl: string;
    slackToken: string;
  }
}
