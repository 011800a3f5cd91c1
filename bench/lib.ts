// What the benchmark scenarios share: the product started on core 1 (the load runs on core 0),
// a raw Node baseline serving given bytes on core 1, and wrk (or autocannon) as the load.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";

export const SERVER_CORE = "1";
/** Where the load runs (this process); S3's second instance runs here too (bench/s3-cross-instance.ts). */
export const LOAD_CORE = "0";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready`);
}

export interface Product {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The product as `npm start` runs it (embedded PGlite with the demo data), or on PostgreSQL +
 * Redis when BENCH_DATABASE_URL / BENCH_REDIS_URL are set. Limits that would refuse the load
 * (the public rate limit, sign-in throttle) are off: the benchmark measures the work, not them.
 */
export async function startProduct(env: Record<string, string> = {}, core = SERVER_CORE): Promise<Product> {
  const port = await freePort();
  // --expose-gc: GET /metrics?gc=1 collects before it reads memory (S2's RSS per subscriber).
  // BENCH_CPU_PROF=1: a V8 CPU profile per product process, written when it stops, to see where
  // the time goes (open the .cpuprofile in Chrome DevTools' Performance panel).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", join(import.meta.dirname, "results", "profiles")] : [];
  // BENCH_NODE_FLAGS="--trace-gc": more flags for the product's node (its stdout is then shown:
  // that is where --trace-gc writes).
  const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn("taskset", ["-c", core, "node", "--expose-gc", ...profile, ...nodeFlags, "--import", "tsx", "api/src/main.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: "memory://",
      DEMO: "1",
      LOG_LEVEL: "warn",
      PUBLIC_RATE_LIMIT: "0",
      AUTH_RATE_LIMIT: "0",
      // The load generator is one address saturating the server on purpose (docs/adr/0009).
      MAX_CONNECTIONS_PER_IP: "0",
      LOAD_SHED_LAG_MS: "0",
      // GET /metrics: the server's own event-loop delay and database query count (S4, S6).
      METRICS: "1",
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "",
      REDIS_URL: process.env.BENCH_REDIS_URL ?? "",
      JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      ...env,
    },
    stdio: ["ignore", nodeFlags.length > 0 ? "inherit" : "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url);
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * A raw Node `http` server on the server core answering every GET with the given bytes (and
 * `headers`, e.g. the content-encoding of compressed bytes).
 */
export async function startRawServer(body: Buffer, contentType: string, headers: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const script = `
    const body = Buffer.from(${JSON.stringify(body.toString("base64"))}, "base64");
    const headers = ${JSON.stringify(headers)};
    require("node:http").createServer((req, res) => {
      res.writeHead(200, { ...headers, "content-type": ${JSON.stringify(contentType)}, "content-length": body.length });
      res.end(body);
    }).listen(${port}, "127.0.0.1", () => process.send("ready"));`;
  const child = spawn("taskset", ["-c", SERVER_CORE, "node", "-e", script], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  await new Promise<void>((resolve) => child.once("message", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export const hasWrk = () => spawnSync("wrk", ["--version"]).error === undefined;

/**
 * GET `url` (with `headers`) with `connections` connections for `seconds`, from the load core:
 * as fast as the server answers, or with `pauseMs` between an answer and a connection's next
 * request (about connections × 1000 / pauseMs requests a second).
 */
export function load(url: string, { connections = 64, seconds = 10, headers = {}, pauseMs }: { connections?: number; seconds?: number; headers?: Record<string, string>; pauseMs?: number } = {}): LoadResult {
  if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk (Debian) — the benchmark needs a load generator faster than the server");
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const run = spawnSync("taskset", ["-c", "0", "wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...headerArgs, "-s", join(import.meta.dirname, "wrk-report.lua"), url, ...(pauseMs ? ["--", String(Math.max(1, Math.round(pauseMs)))] : [])], { encoding: "utf8" });
  const line = run.stdout.split("\n").find((l) => l.startsWith("BENCH "));
  if (!line) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const r = JSON.parse(line.slice(6)) as { requests: number; durationUs: number; socketErrors: number; non2xx: number; p50Us: number; p99Us: number };
  return {
    requestsPerSecond: Math.round(r.requests / (r.durationUs / 1e6)),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    errors: r.socketErrors,
    non2xx: r.non2xx,
  };
}

/** One line of progress for the person waiting. */
export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

/** POST a GraphQL operation; throws on errors so a scenario never measures a failure as a success. */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    ...(signal ? { signal } : {}),
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const SET_STATUS = `mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`;
/** Alternating between two statuses makes every mutation a change (and so one event). */
export const STATUSES = ["DEGRADED_PERFORMANCE", "OPERATIONAL"] as const;

/**
 * The demo organisation "dance": its admin's session and its first service. `toggle()` gives
 * the status to set next: always different from the current one, so every call is a change.
 */
export async function demoAdmin(url: string): Promise<{ token: string; serviceId: string; toggle(): string }> {
  const { logIn } = await gql<{ logIn: { token: string } }>(url, `mutation { logIn(input: { email: "admin@dance.example", password: "demo-password" }) { token } }`);
  const { organization } = await gql<{ organization: { services: { id: string; status: string }[] } }>(url, `{ organization(slug: "dance") { services { id status } } }`, {}, logIn.token);
  let current = organization.services[0]!.status;
  return {
    token: logIn.token,
    serviceId: organization.services[0]!.id,
    toggle: () => (current = current === STATUSES[0] ? STATUSES[1] : STATUSES[0]),
  };
}

/** Resident memory of a process (VmRSS from /proc), in bytes. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

/** CPU time (user + system) a process has used, in ms (clock ticks are 100 Hz on Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Waits until the server is idle (under 10 % of a core over 300 ms): subscriptions are set up
 * asynchronously after their socket opens, and graphql-ws does not acknowledge a subscribe.
 */
export async function settle(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = cpuMs(pid);
    await sleep(300);
    if (cpuMs(pid) - before < 30 || Date.now() > deadline) return;
  }
}

/**
 * This process's event-loop delay (monitorEventLoopDelay), as a delay: Node's histogram records
 * the time between its timer's runs, the 10 ms period included (an idle process reads 10.1 ms).
 */
export function loopDelay(): { enable(): void; disable(): void; p99Ms(): number } {
  const RESOLUTION_MS = 10;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  return {
    enable: () => void histogram.enable(),
    disable: () => void histogram.disable(),
    p99Ms: () => Math.max(0, histogram.percentile(99) / 1e6 - RESOLUTION_MS),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, "ws");
