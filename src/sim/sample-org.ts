/** Entry kept at this path for the CLI, scripts, tests and the sample policy that name it: the sample organization lives in openai/. */
export { sampleOrg } from "./openai/sample-org.js";
