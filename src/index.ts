import { createApp } from "./http/app.js";
import { isHousekeepingCron } from "./worker/crons.js";
import { houseKeep } from "./worker/housekeeping.js";
import { log, rememberSecrets } from "./util/log.js";
import { startRun } from "./worker/trigger.js";

export { AuditWorkflow } from "./worker/workflow.js";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, _ctx) {
    rememberSecrets(env);
    if (isHousekeepingCron(controller.cron)) return houseKeep(env, new Date(controller.scheduledTime));
    const when = new Date(controller.scheduledTime).toISOString();
    // A cron that cannot start its run is recorded as a failed run and told to Slack (startRun);
    // the error still goes on, so Cloudflare's cron history shows the invocation as failed.
    const { id, started } = await startRun(env, { trigger: "cron" });
    log.info(started ? `keywarden: cron ${when} started run ${id}` : `keywarden: cron ${when} found run ${id} still running; not starting another`);
  },
} satisfies ExportedHandler<Env>;
