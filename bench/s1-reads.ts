// S1 alone (npm run bench:reads [-- --seconds=N --rounds=N]): the product on core 1, the public reads of
// bench/public-reads.ts against their raw baselines, and a table; nothing written. For looking
// into S1 (with BENCH_CPU_PROF=1 for a profile of the product) without the whole benchmark.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { progress, startProduct } from "./lib.ts";
import { publicReads } from "./public-reads.ts";

spawnSync("taskset", ["-pc", "0", String(process.pid)], { stdio: "ignore" });
const seconds = Number(/--seconds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 5);
const rounds = Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 3);
const before = loadavg()[0]!;
progress("starting the product");
const product = await startProduct();
try {
  const results = await publicReads(product, { seconds, rounds });
  console.log(`\nS1 public reads, ${rounds} rounds of ${seconds} s each side at 64 connections (the median round); load average ${before.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}\n`);
  for (const r of results) {
    console.log(
      `${r.read.padEnd(18)} product ${String(r.product.requestsPerSecond).padStart(6)} req/s (p99 ${r.product.p99Ms.toFixed(1)} ms)` +
        `  raw ${String(r.raw.requestsPerSecond).padStart(6)} req/s (p99 ${r.raw.p99Ms.toFixed(1)} ms)  ${r.ratio.toFixed(2)}×  ${r.bytes} bytes${r.encoding ? ` ${r.encoding}` : ""}` +
        (r.product.non2xx || r.product.errors ? `  (${r.product.non2xx} non-2xx, ${r.product.errors} errors)` : ""),
    );
    console.log(`${"".padEnd(18)} at ${r.paced.offered} req/s: product p99 ${r.paced.product.p99Ms.toFixed(1)} ms, raw p99 ${r.paced.raw.p99Ms.toFixed(1)} ms`);
  }
} finally {
  await product.stop();
}
process.exit(0);
