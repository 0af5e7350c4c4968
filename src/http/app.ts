import { Hono } from "hono";
import { ConfigError, secretValues, usableApiToken } from "../config.js";
import { SchemaNotMigratedError, isUnmigratedSchemaError } from "../store/schema.js";
import { readiness } from "./health.js";
import { bearerAuth } from "./bearer-auth.js";
import { jsonError, misconfigured } from "./errors.js";
import { settingsPlaceOf } from "./settings-place.js";
import { evidenceArchive, evidenceReport, publicKeyRoute, runEvidence } from "./evidence.js";
import { runsApi } from "./runs.js";
import { exemptionsApi } from "./exemptions.js";
import { remediationsApi } from "./remediations.js";
import { watchApi } from "./watch.js";
import { slackCommands } from "./slack-commands.js";
import { slackInteractions } from "./slack-interactions.js";
import { log, rememberSecrets } from "../util/log.js";
import { redact } from "../util/redact.js";

/** The only routes that answer without the bearer token; the Slack routes verify Slack's signature instead. */
const PUBLIC_ROUTES: [method: string, path: RegExp][] = [
  ["GET", /^\/healthz$/],
  ["GET", /^\/evidence\/public-key$/],
  ["POST", /^\/slack\/commands$/],
  ["POST", /^\/slack\/interactions$/],
];

const requireBearer = bearerAuth(usableApiToken);

export function createApp() {
  const app = new Hono<{ Bindings: Env }>();

  // Every answer leaves through here: no configured secret in it, whatever a stored name holds.
  app.use("*", async (c, next) => {
    rememberSecrets(c.env);
    await next();
    c.res = await redactResponse(c.res, secretValues(c.env));
  });
  // Default deny: a route is public only when it is listed above.
  app.use("*", (c, next) => (PUBLIC_ROUTES.some(([method, path]) => method === c.req.method && path.test(c.req.path)) ? next() : requireBearer(c, next)));

  // Readiness for uptime monitors: 200 only when the Worker can run and an audit completed recently.
  app.get("/healthz", async (c) => {
    const ready = await readiness(c.env, new Date(), settingsPlaceOf(c.req.url));
    c.header("Cache-Control", "no-store");
    return c.json(ready, ready.ok ? 200 : 503);
  });
  app.route("/runs", runEvidence);
  app.route("/runs", runsApi);
  app.route("/evidence/public-key", publicKeyRoute);
  app.route("/evidence/report", evidenceReport);
  app.route("/evidence", evidenceArchive);
  app.route("/slack/commands", slackCommands);
  app.route("/slack/interactions", slackInteractions);
  app.route("/exemptions", exemptionsApi);
  app.route("/remediations", remediationsApi);
  app.route("/watch", watchApi);

  const allowed = allowedMethodsOf(app.routes);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods) {
      c.header("Allow", methods);
      return jsonError(c, 405, "method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; use ${methods}`);
    }
    return jsonError(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`);
  });
  app.onError((error, c) => {
    if (error instanceof ConfigError) return misconfigured(c, error);
    if (error instanceof SchemaNotMigratedError || isUnmigratedSchemaError(error)) {
      const message = error instanceof SchemaNotMigratedError ? error.message : new SchemaNotMigratedError([]).message;
      return jsonError(c, 503, "not_migrated", message);
    }
    log.error(`keywarden: unhandled ${error.name} on ${c.req.method} ${c.req.path}`);
    return jsonError(c, 500, "internal", "internal error");
  });
  return app;
}

/** The methods each registered path answers (from the routes themselves), for 405 and `Allow`. */
function allowedMethodsOf(routes: readonly { method: string; path: string }[]): (path: string) => string | undefined {
  const byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    const entry = byPattern.get(route.path) ?? { pattern: new RegExp(`^${route.path.replace(/\/$/, "").replace(/:[^/]+/g, "[^/]+") || "/"}$`), methods: new Set() };
    entry.methods.add(route.method);
    byPattern.set(route.path, entry);
  }
  return (path) => {
    const methods = new Set<string>();
    for (const { pattern, methods: m } of byPattern.values()) if (pattern.test(path)) for (const method of m) methods.add(method);
    return methods.size > 0 ? [...methods].sort().join(", ") : undefined;
  };
}

/** JSON and text answers with every configured secret replaced; binary answers (ZIP) as they are. */
async function redactResponse(response: Response, secrets: readonly string[]): Promise<Response> {
  const type = response.headers.get("content-type") ?? "";
  if (secrets.length === 0 || !response.body || !/^(application\/json|text\/)/.test(type)) return response;
  const text = await response.text();
  const clean = redact(text, secrets);
  if (clean === text) return new Response(text, response);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(clean, { status: response.status, statusText: response.statusText, headers });
}
