import { createApp } from "./http/app.js";
import { triggerRun } from "./worker/trigger.js";

export { AuditWorkflow } from "./worker/workflow.js";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, _ctx) {
    const { id, started } = await triggerRun(env, { trigger: "cron" });
    const when = new Date(controller.scheduledTime).toISOString();
    console.log(started ? `keywarden: cron ${when} started run ${id}` : `keywarden: cron ${when} found run ${id} still running; not starting another`);
  },
} satisfies ExportedHandler<Env>;
