import { Hono } from "hono";
import { ConfigError } from "../config.js";
import { SchemaNotMigratedError, isUnmigratedSchemaError } from "../store/schema.js";
import { readiness } from "../worker/health.js";
import { bearerAuth } from "./bearer-auth.js";
import { jsonError } from "./errors.js";
import { evidenceArchive, publicKeyRoute, runEvidence } from "./evidence.js";
import { runsApi } from "./runs.js";
import { slackCommands } from "./slack-commands.js";

/** Methods each path answers; anything else on a known path is a 405. */
const ALLOWED: [RegExp, string][] = [
  [/^\/healthz$/, "GET"],
  [/^\/runs$/, "GET, POST"],
  [/^\/runs\/[^/]+$/, "GET"],
  [/^\/runs\/[^/]+\/evidence(\/[^/]+)?$/, "GET"],
  [/^\/evidence(\/public-key)?$/, "GET"],
  [/^\/slack\/commands$/, "POST"],
];

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();

  // Readiness for uptime monitors: 200 only when the Worker can run and an audit completed recently.
  app.get("/healthz", async (c) => {
    const ready = await readiness(c.env, new Date());
    c.header("Cache-Control", "no-store");
    return c.json(ready, ready.ok ? 200 : 503);
  });

  app.use("/runs", bearerAuth((env) => env.AUDIT_API_TOKEN));
  app.use("/runs/*", bearerAuth((env) => env.AUDIT_API_TOKEN));
  app.route("/runs", runEvidence);
  app.route("/runs", runsApi);
  app.route("/evidence/public-key", publicKeyRoute);
  app.use("/evidence", bearerAuth((env) => env.AUDIT_API_TOKEN));
  app.route("/evidence", evidenceArchive);
  app.route("/slack/commands", slackCommands);

  app.notFound((c) => {
    const allowed = ALLOWED.find(([pattern]) => pattern.test(c.req.path))?.[1];
    if (allowed) {
      c.header("Allow", allowed);
      return jsonError(c, 405, "method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; use ${allowed}`);
    }
    return jsonError(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`);
  });
  app.onError((error, c) => {
    if (error instanceof ConfigError) return jsonError(c, 500, "misconfigured", error.message);
    if (error instanceof SchemaNotMigratedError || isUnmigratedSchemaError(error)) {
      const message = error instanceof SchemaNotMigratedError ? error.message : new SchemaNotMigratedError([]).message;
      return jsonError(c, 503, "not_migrated", message);
    }
    console.error(`keywarden: unhandled ${error.name} on ${c.req.method} ${c.req.path}`);
    return jsonError(c, 500, "internal", "internal error");
  });
  return app;
}
