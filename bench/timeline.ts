// Summarises the statement timelines a product wrote with METRICS=1 METRICS_TRACE=<file>
// (api/src/lib/metrics.ts): for each step of a POST (each statement, and the time between one
// and the next, spent in JavaScript or waiting for a turn of the event loop), its p50/p90/p99;
// then the slowest requests, step by step. Where a mutation's time goes, measured.
//   node --import tsx bench/timeline.ts <file> [--skip=<first n lines>] [--worst=5]
import { readFileSync } from "node:fs";
import { percentile } from "./lib.ts";

type Timeline = [at: number, ms: number, what: string][];

const [file] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!file) throw new Error("usage: bench/timeline.ts <file> [--skip=n] [--worst=n]");
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).slice(arg("skip", 0));
const timelines = lines.map((line) => JSON.parse(line) as Timeline);

// Requests with the same sequence of steps are one shape (a rename, a sign-in, …): the most
// common shape is summarised; background statements that fell inside a request make it another.
const shapeOf = (t: Timeline) => t.map(([, , what]) => what).join(" | ");
const shapes = new Map<string, Timeline[]>();
for (const t of timelines) {
  const shape = shapeOf(t);
  shapes.set(shape, shapes.get(shape) ?? []);
  shapes.get(shape)!.push(t);
}
const [shape, runs] = [...shapes].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
if (runs.length === 0) throw new Error(`${file} holds no timelines`);

const steps = runs[0]!.map(([, , what]) => what);
const fmt = (values: number[]) => [50, 90, 99].map((p) => percentile(values, p).toFixed(2).padStart(7)).join(" ");
console.log(`${runs.length} of ${timelines.length} requests have the most common shape (${steps.length - 2} steps); p50 p90 p99 in ms:\n`);
console.log(`${"total".padEnd(72)}${fmt(runs.map((t) => t.at(-1)![0]))}`);
let sumOfMedians = 0;
for (let i = 1; i < steps.length; i++) {
  const gaps = runs.map((t) => t[i]![0] - (t[i - 1]![0] + t[i - 1]![1]));
  const durations = runs.map((t) => t[i]![1]);
  sumOfMedians += percentile(gaps, 50) + percentile(durations, 50);
  console.log(`${`  before ${steps[i]!}`.slice(0, 72).padEnd(72)}${fmt(gaps)}`);
  if (i < steps.length - 1) console.log(`${`  ${steps[i]!}`.slice(0, 72).padEnd(72)}${fmt(durations)}`);
}
console.log(`${"  (sum of the medians)".padEnd(72)}${sumOfMedians.toFixed(2).padStart(7)}`);
console.log(`\nslowest ${arg("worst", 5)} (start+duration of each step):`);
for (const t of [...runs].sort((a, b) => b.at(-1)![0] - a.at(-1)![0]).slice(0, arg("worst", 5))) {
  console.log(`  ${t.map(([at, ms, what]) => `${at.toFixed(1)}+${ms.toFixed(1)} ${what.slice(0, 12)}`).join(" | ")}`);
}
if (shapes.size > 1) console.log(`\n${shapes.size - 1} other shapes (${timelines.length - runs.length} requests), e.g.: ${[...shapes.keys()].find((s) => s !== shape)!.slice(0, 200)}`);
