// Server CPU time per public read, this checkout against another revision, side by side:
//   node --import tsx bench/ab-reads.ts --base=<rev> [--rounds=10] [--reads=GET,summary,html]
// On a shared machine wrk's req/s swings by tens of percent from run to run (the raw baseline
// too), so a change worth 10 % cannot be seen in S1's ratios. This starts both products at once
// on the server core (embedded, demo data, as S1 does), loads them in turns for 2 s per read
// and round (wrk, 64 connections, on the load core), and prints the CPU time each spent per
// request (/proc/<pid>/stat): drift on the machine hits both alike. docs/PERFORMANCE.md, session 23.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BROWSER_ENCODINGS } from "./public-reads.ts";
import { LOAD_CORE, startProduct, type Product } from "./lib.ts";
import { webPageRequest } from "./s6-convergence.ts";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const base = arg("base");
if (!base) throw new Error("usage: bench/ab-reads.ts --base=<rev> [--rounds=10] [--reads=GET,summary,html]");
const rounds = Number(arg("rounds") ?? 10);
const root = join(import.meta.dirname, "..");

/** A worktree of `rev` that runs as this checkout does: its installs and generated code are this one's. */
function worktreeOf(rev: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "ab-reads-")), "base");
  execFileSync("git", ["-C", root, "worktree", "add", "--detach", "-q", dir, rev]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  for (const generated of ["api/src/generated", "web/src/gql", "web/dist"]) cpSync(join(root, generated), join(dir, generated), { recursive: true });
  return dir;
}

/** CPU time (user + system) of a process, in µs. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks of 10 ms
}

/** Requests wrk completed against `url` in `seconds`. */
function wrk(url: string, headers: Record<string, string>, seconds: number): number {
  const args = ["-c", LOAD_CORE, "wrk", "-t1", "-c64", `-d${seconds}s`, ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), url];
  const out = spawnSync("taskset", args, { encoding: "utf8" }).stdout;
  const done = /(\d+) requests in/.exec(out);
  if (!done) throw new Error(`wrk gave no count: ${out}`);
  return Number(done[1]);
}

const baseDir = worktreeOf(base);
const products: [string, Product][] = [];
try {
  for (const [name, dir] of [[`base ${base}`, baseDir], ["this checkout", root]] as const) {
    process.chdir(dir); // startProduct runs api/src/main.ts of the current directory
    products.push([name, await startProduct()]);
  }
  process.chdir(root);
  const page = await webPageRequest("dance");
  const all: [string, string, Record<string, string>][] = [
    ["GET", page.path, { ...page.headers, ...BROWSER_ENCODINGS }],
    ["summary", "/api/v2/dance/summary.json", { accept: "application/json", ...BROWSER_ENCODINGS }],
    ["html", "/status/dance", { accept: "text/html", ...BROWSER_ENCODINGS }],
  ];
  const wanted = arg("reads")?.split(",");
  const reads = all.filter(([name]) => !wanted || wanted.includes(name));
  for (const [, product] of products) for (const [, path, headers] of reads) wrk(product.url + path, headers, 2); // warm up
  const spent = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    // Each round the other goes first: neither always meets the machine right after the other.
    const order = round % 2 === 0 ? products : [...products].reverse();
    for (const [read, path, headers] of reads) {
      for (const [name, product] of order) {
        const before = cpuOf(product.child.pid!);
        const requests = wrk(product.url + path, headers, 2);
        const key = `${read}\t${name}`;
        spent.set(key, [...(spent.get(key) ?? []), (cpuOf(product.child.pid!) - before) / requests]);
      }
    }
    process.stderr.write(`  · round ${round + 1}/${rounds}\n`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  console.log("read\tproduct\tmedian µs/request\tmin\tall");
  for (const [key, values] of spent) console.log(`${key}\t${median(values).toFixed(1)}\t${Math.min(...values).toFixed(1)}\t${values.map((v) => v.toFixed(0)).join(" ")}`);
} finally {
  for (const [, product] of products) await product.stop();
  execFileSync("git", ["-C", root, "worktree", "remove", "--force", baseDir]);
}
