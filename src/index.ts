import { Hono } from "hono";
import { runScheduledAudit } from "./worker/scheduled.js";

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true, service: "keywarden" }));
app.notFound((c) => c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
app.onError((error, c) => {
  console.error(`keywarden: unhandled ${error.name} on ${c.req.method} ${c.req.path}`);
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
});

export default {
  fetch: app.fetch,
  async scheduled(controller, env, _ctx) {
    await runScheduledAudit(env as unknown as Record<string, unknown>, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
