// Builds the web app into web/dist. `--if-missing` (used by `npm start`) skips the build when
// a build is already there, so starting stays fast; `npm run build:web` always rebuilds.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
if (process.argv.includes("--if-missing") && existsSync(join(root, "web/dist/index.html"))) process.exit(0);
console.log("building the web app (web/dist)…");
const run = (args) => spawnSync("npx", ["--no-install", ...args], { cwd: root, stdio: "inherit" }).status ?? 1;
const status = run(["graphql-codegen", "--config", "codegen.ts"]) || run(["vite", "build", "web", "--logLevel", "warn"]);
process.exit(status);
