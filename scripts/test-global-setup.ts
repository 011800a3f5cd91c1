// Vitest's global setup: builds the web app once, before any test worker starts. The browser
// suites and the page routes serve web/dist; when each suite built it for itself, two suites
// starting together on a fresh clone raced: one served the index.html the other's build had
// just written, before its .br/.gz twins existed (sirv lists the files once, at start), and a
// second `vite build` could empty web/dist under a running suite.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  const result = spawnSync("node", [join(import.meta.dirname, "build-web.mjs"), "--if-missing"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("building the web app (web/dist) failed");
}
