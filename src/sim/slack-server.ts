/** Entry kept at this path for the scripts, tests and vitest.config.ts that import it: the fake Slack lives in slack/. */
export { FAKE_SLACK_TOKEN, startFakeSlack } from "./slack/server.js";
export type * from "./slack/types.js";
