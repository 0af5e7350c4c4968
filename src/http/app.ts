import { Hono } from "hono";
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

  app.get("/healthz", (c) => c.json({ ok: true, service: "keywarden" }));

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
    console.error(`keywarden: unhandled ${error.name} on ${c.req.method} ${c.req.path}`);
    return jsonError(c, 500, "internal", "internal error");
  });
  return app;
}
