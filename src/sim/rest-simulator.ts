/**
 * What a REST API simulator (OpenAI's, Anthropic's) is made of besides its
 * API: the organization it serves, its faults, its request log, answers held
 * back by latency, the control routes (./control-routes.ts), the server and
 * the handle a test holds. The provider gives its fault dialect, how an
 * organization is checked, its error envelope, how it reads a request's URL
 * and the answer to an API request.
 */
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerControl, isControlPath } from "./control-routes.js";
import { type Fault, type FaultDialect, FaultList } from "./faults.js";
import { closer, DelayedAnswers, listen, readRequestText } from "./http.js";
import { RequestLog, type RequestLogEntry } from "./request-log.js";

export interface RestSimulator<Org, F, E extends RequestLogEntry> {
  readonly url: string;
  /** Every API request in arrival order (including faulted and unauthorized ones). Live array. */
  readonly requests: E[];
  /** Highest number of API requests in flight at once since start (or the last clearLog). */
  readonly maxConcurrent: number;
  /** Replace the organization (a deep copy is taken). */
  setOrg(org: Org): void;
  /** A deep copy of the organization as it is now (after any changes). */
  getOrg(): Org;
  addFault(fault: F): void;
  clearFaults(): void;
  /** Empty `requests` (in place) and reset `maxConcurrent` to the number now in flight. */
  clearLog(): void;
  close(): Promise<void>;
}

export interface RestSimulatorOptions<Org> {
  org: Org;
  adminKey: string;
  /** Added to every API response (simulated network). Default 0. */
  latencyMs?: number;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
}

/** One API request, its body read ("" for GET and HEAD), already counted in flight. */
export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Upper-case. */
  method: string;
  bodyText: string;
  /** Arrival, ms since the epoch. */
  at: number;
  /** "req_sim_1", "req_sim_2", …: the API requests numbered as their bodies are read. */
  requestId: string;
}

/** What the provider's API handler works with. */
export interface SimulatorParts<Org, C extends string, P extends string, E extends RequestLogEntry> {
  /** The organization now (changes made to it stay). */
  org(): Org;
  faults: FaultList<C, P>;
  log: RequestLog<E>;
  delayed: DelayedAnswers;
}

export interface RestSimulatorSpec<Org, C extends string, P extends string, E extends RequestLogEntry> {
  /** Checks an organization and gives a deep copy; throws a TypeError naming what is wrong. */
  parseOrg(input: unknown): Org;
  dialect: FaultDialect<C, P>;
  /** Appended to the origin to make `url`, e.g. "/v1". */
  urlSuffix: string;
  /** The request's URL, as the provider reads `req.url`. */
  requestUrl(req: IncomingMessage): URL;
  /** The provider's error body for a refused control request. */
  controlError(status: number, message: string): unknown;
  /** The message of the 404 for an unknown control route. */
  unknownControlRoute(method: string, path: string): string;
  answerApi(request: ApiRequest, parts: SimulatorParts<Org, C, P, E>): void;
  /** Further control routes (see ControlledSimulator.actions), given the organization as it is now. */
  controlActions?: Readonly<Record<string, (org: Org, input: unknown) => unknown>>;
}

export async function startRestSimulator<Org, C extends string, P extends string, E extends RequestLogEntry>(
  opts: RestSimulatorOptions<Org>,
  spec: RestSimulatorSpec<Org, C, P, E>,
): Promise<RestSimulator<Org, Fault<C, P>, E>> {
  let org = spec.parseOrg(opts.org);
  const setOrg = (input: unknown): void => {
    org = spec.parseOrg(input);
  };
  const faults = new FaultList(spec.dialect);
  const log = new RequestLog<E>();
  const delayed = new DelayedAnswers(opts.latencyMs ?? 0);
  const parts: SimulatorParts<Org, C, P, E> = { org: () => org, faults, log, delayed };
  let requestCounter = 0;
  const actions = Object.fromEntries(Object.entries(spec.controlActions ?? {}).map(([route, act]) => [route, (input: unknown) => act(org, input)]));
  const control = { faults, log, getOrg: () => org, setOrg, controlError: spec.controlError, unknownControlRoute: spec.unknownControlRoute, actions };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const at = Date.now();
    log.track(res);
    const method = (req.method ?? "GET").toUpperCase();
    const bodyText = await readRequestText(req, method);
    if (bodyText === null) return;
    spec.answerApi({ req, res, url, method, bodyText, at, requestId: `req_sim_${++requestCounter}` }, parts);
  };

  const server = http.createServer((req, res) => {
    const url = spec.requestUrl(req);
    void (isControlPath(url.pathname) ? answerControl(req, res, url, control) : handleApi(req, res, url));
  });
  const origin = await listen(server, opts.host ?? "127.0.0.1", opts.port);
  return {
    url: `${origin}${spec.urlSuffix}`,
    requests: log.requests,
    get maxConcurrent() {
      return log.maxConcurrent;
    },
    setOrg,
    getOrg: () => structuredClone(org),
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    clearLog: () => log.clear(),
    close: closer(server, () => delayed.cancelAll()),
  };
}
