/** Writes policies/policy.schema.json from the zod policy schema. A unit test fails when it is stale. */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderPolicySchema } from "../src/policy/json-schema.js";

const path = join(dirname(fileURLToPath(import.meta.url)), "..", "policies", "policy.schema.json");
writeFileSync(path, renderPolicySchema());
console.log(`wrote ${path}`);
