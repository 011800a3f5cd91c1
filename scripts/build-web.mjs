// Builds the web app into web/dist. `--if-missing` (used by `npm start` and the browser tests)
// skips the build when web/dist is newer than every source file, so starting stays fast and
// never serves a stale app; `npm run build:web` always rebuilds.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const built = join(root, "web/dist/index.html");

function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== "gql") visit(join(path, name));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of ["web/src", "web/public", "web/index.html", "web/vite.config.ts", "schema"]) visit(join(root, path));
  return newest;
}

if (process.argv.includes("--if-missing") && existsSync(built) && statSync(built).mtimeMs >= newestSource()) process.exit(0);
console.log("building the web app (web/dist)…");
const run = (args) => spawnSync("npx", ["--no-install", ...args], { cwd: root, stdio: "inherit" }).status ?? 1;
const status = run(["graphql-codegen", "--config", "codegen.ts"]) || run(["vite", "build", "web", "--logLevel", "warn"]);
if (status === 0) compressAssets(join(root, "web/dist/assets"));
process.exit(status);

/**
 * Writes .br and .gz beside each hashed asset, once per build, so the server sends compressed
 * bytes without compressing per request (sirv picks them by Accept-Encoding).
 */
function compressAssets(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|html|json)$/.test(name)) continue;
    const body = readFileSync(join(dir, name));
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}
