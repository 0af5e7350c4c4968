/**
 * The `keywarden` program. `npm run build` bundles it into dist/keywarden.js, which bin/keywarden.js
 * runs; `tsx src/cli/keywarden.ts …` runs it from source (npm run policy:check, the CLI tests).
 */
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
