/** Entry kept at this path for the CLI, scripts and tests that import it: the OpenAI Admin API simulator lives in openai/. */
export type { Fault, FaultEffect, FaultMatch } from "./openai/faults.js";
export { parseFault } from "./openai/faults.js";
export type { RequestLogEntry } from "./request-log.js";
export { AUDIT_LOGGING_DISABLED_MESSAGE, AUDIT_LOGGING_DISABLED_STATUS } from "./openai/audit-logs.js";
export { type Simulator, type StartSimulatorOptions, startSimulator } from "./openai/server.js";
