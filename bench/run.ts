// npm run bench [-- --quick]: starts the product (embedded PGlite with the demo data, or
// PostgreSQL + Redis with BENCH_DATABASE_URL / BENCH_REDIS_URL), runs each scenario beside its
// baseline in the same run — server on core 1, load on core 0 — prints a table with the ratios
// and writes bench/results/latest.json.
// Scenarios so far: S1 public reads. TODO(issue 10): S2 fan-out at 5k/10k (bench/fanout.ts has
// the per-socket comparison), S3 cross-instance, S4 writes under load, S5 tenancy at scale,
// S6 page convergence, and the SVG chart.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { progress, startProduct } from "./lib.ts";
import { publicReads } from "./public-reads.ts";

const quick = process.argv.includes("--quick");
const database = process.env.BENCH_DATABASE_URL ? "PostgreSQL + Redis" : "embedded PGlite";
process.stderr.write(`Benchmark (${quick ? "quick" : "full"}), ${database}; server on core 1, load on core 0\n`);

progress("starting the product");
const product = await startProduct();
let reads;
try {
  reads = await publicReads(product, { seconds: quick ? 5 : 15 });
} finally {
  await product.stop();
}

const fmt = (n: number) => n.toLocaleString("en-US");
console.log(`\nS1 public reads (${database}, wrk 64 connections)`);
console.log("read                 product req/s   p99      raw req/s   p99      ratio   target");
for (const r of reads) {
  console.log(
    `${r.read.padEnd(21)}${fmt(r.product.requestsPerSecond).padStart(13)}   ${`${r.product.p99Ms.toFixed(1)} ms`.padEnd(9)}${fmt(r.raw.requestsPerSecond).padStart(9)}   ${`${r.raw.p99Ms.toFixed(1)} ms`.padEnd(9)}${`${r.ratio.toFixed(3)}×`.padEnd(8)}≥ 0.5×, p99 ≤ 20 ms${r.product.non2xx ? `  (${r.product.non2xx} non-2xx!)` : ""}`,
  );
}
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "latest.json"), JSON.stringify({ at: new Date().toISOString(), database, quick, s1: reads }, null, 2) + "\n");
console.log(`\nwrote bench/results/latest.json`);
process.exit(0);
