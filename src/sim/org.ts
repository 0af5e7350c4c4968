/** Entry kept at this path for the CLI, scripts and tests that import it: the simulated organization's types live in openai/. */
export * from "./openai/org.js";
