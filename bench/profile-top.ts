// Reads a V8 .cpuprofile (BENCH_CPU_PROF=1 writes them under bench/results/profiles/) and prints
// the functions with the most self time, and the biggest inclusive ones, optionally in a window.
//   node --import tsx bench/profile-top.ts <file.cpuprofile> [--from=<s>] [--to=<s>] [--top=30]
// --from/--to are seconds since the profile started: to look at one scenario's stretch only.
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const [file] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!file) throw new Error("usage: bench/profile-top.ts <file.cpuprofile> [--from=s] [--to=s] [--top=n]");
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const from = arg("from", 0) * 1e6;
const to = arg("to", Infinity) * 1e6;
const top = arg("top", 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(api|bench)\//, "$1/");
  return `${n.callFrame.functionName || "(anonymous)"} ${url ? `${url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}` : ""}`.trim();
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let t = 0;
let windowUs = 0;
let idleUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  if (t < from || t > to) continue;
  windowUs += dt;
  const leaf = byId.get(profile.samples[i]!)!;
  if (leaf.callFrame.functionName === "(idle)") idleUs += dt;
  const name = label(leaf);
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
}
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / windowUs).toFixed(1).padStart(5)} %`;
console.log(`window ${(windowUs / 1e6).toFixed(1)} s of ${(t / 1e6).toFixed(1)} s, idle ${ms(idleUs)}\n\nself time:`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)}  ${name}`);
console.log("\ninclusive time:");
for (const [name, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)}  ${name}`);
