/** Entry kept at this path for the scripts and tests that import it: the generator of large organizations lives in openai/. */
export { type GenerateOrgOptions, generateOrg } from "./openai/generate.js";
