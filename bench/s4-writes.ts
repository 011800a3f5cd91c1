// S4 writes under load: `rate` status changes per second for `seconds` while the S2 subscribers
// listen. Measures the mutations' latency, the server's event-loop delay (from its /metrics
// when METRICS=1 is honoured, and always from outside: a /health probe every 50 ms), and checks
// by cursor that every subscriber got every event exactly once.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { cpuMs, demoAdmin, gql, LOAD_CORE, loopDelay, percentile, progress, settle, sleep, type Product } from "./lib.ts";
import type { WriterReport, WriterTask } from "./s4-writer.ts";
import type { RawServer } from "./raw-server.ts";
import type { Subscribers } from "./subscribers.ts";

export interface WritesResult {
  subscribers: number;
  seconds: number;
  mutations: number;
  failedMutations: number;
  mutationP50Ms: number;
  mutationP99Ms: number;
  /** Distinct events seen by any subscriber (each change is one event). */
  events: number;
  /** Sum over subscribers of events they never got. */
  lost: number;
  /** Events a subscriber got again, or out of cursor order. */
  duplicated: number;
  /** The server's own monitorEventLoopDelay p99 (GET /metrics), null when it has no such endpoint. */
  serverLoopDelayP99Ms: number | null;
  /**
   * p99 of the mutations' time inside the server (GET /metrics: headers read → answer written),
   * null without /metrics: what the server adds, whatever backlog the load process has.
   */
  serverMutationP99Ms: number | null;
  /** Round trip of GET /health every 50 ms: the outside view of the server's loop delay. */
  healthProbeP99Ms: number;
  /** The loop delay of the process holding the subscribers (not the one timing the mutations). */
  loadLoopDelayP99Ms: number;
  /** The loop delay of the process timing the mutations and the probe (bench/s4-writer.ts). */
  writerLoopDelayP99Ms: number;
  /** That process's niceness (-10 when it could run ahead of the load process, 0 when not permitted). */
  writerNice: number;
  /**
   * CPU the server used (user + system, /proc) per second of the run, writes and drain: under 1
   * means it had time to spare, and delays beyond that were waiting (the shared machine, the client).
   */
  serverCpuPerSecond: number;
  /** Time after the last mutation until every subscriber had every event (or the timeout). */
  drainMs: number;
  /** The drain hit its timeout: `lost` then counts events still late, not necessarily lost. */
  drainTimedOut: boolean;
}

/** GET /metrics (METRICS=1), after a full collection when `collect`: null when the product has none. */
export async function serverMetrics(url: string, collect = false): Promise<{ eventLoopDelayP99Ms: number; rssBytes: number; dbQueries: number; postP99Ms: number | null } | null> {
  try {
    const response = await fetch(`${url}/metrics${collect ? "?gc=1" : ""}`);
    if (!response.ok) return null;
    const body = (await response.json()) as { eventLoopDelayP99Ms?: unknown; rssBytes?: unknown; dbQueries?: unknown; postP99Ms?: unknown };
    if (typeof body.eventLoopDelayP99Ms !== "number" || typeof body.dbQueries !== "number") return null;
    const postP99Ms = typeof body.postP99Ms === "number" ? body.postP99Ms : null;
    return { eventLoopDelayP99Ms: body.eventLoopDelayP99Ms, rssBytes: Number(body.rssBytes), dbQueries: body.dbQueries, postP99Ms };
  } catch {
    return null;
  }
}

const CURSOR = Buffer.from('"cursor":"');
const QUOTE = 0x22;
/** The event's cursor, read off the bytes (ASCII): no decoding, no parse. */
function cursorOf(message: Buffer): string | null {
  const at = message.indexOf(CURSOR);
  if (at < 0) return null;
  const start = at + CURSOR.length;
  const end = message.indexOf(QUOTE, start);
  return end < 0 ? null : message.toString("latin1", start, end);
}

/** Renames before the measured run (bench/s4-writer.ts): S4 measures the steady state. */
const WARMUP = 20;

/**
 * Runs S4's writes and probe in their own process on the load core (bench/s4-writer.ts):
 * its warm-up renames, then `warm()` (the caller's preparation), `started()` and the measured run.
 */
function runWriter(task: WriterTask, warm: () => Promise<void>, started: () => void): Promise<WriterReport> {
  const child = spawn("taskset", ["-c", LOAD_CORE, "node", "--import", "tsx", join(import.meta.dirname, "s4-writer.ts")], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.on("message", (message: "ready" | "warm" | WriterReport) => {
      if (message === "ready") return void child.send(task);
      if (message !== "warm") return resolve(message);
      warm().then(
        () => (started(), child.send("go")),
        (error: unknown) => (child.kill(), reject(error as Error)),
      );
    });
    child.once("exit", (code) => code !== 0 && reject(new Error(`S4 writer exited with ${code}`)));
  });
}

/**
 * The demo admin's session and the incident S4 renames: unlike a status change, a new title is a
 * change whatever order concurrent writes commit in, so every mutation is exactly one event.
 */
async function renameTarget(product: Product): Promise<{ token: string; incident: string }> {
  const admin = await demoAdmin(product.url);
  const { organization } = await gql<{ organization: { incidents: { edges: { node: { id: string } }[] } } }>(
    product.url,
    `{ organization(slug: "dance") { incidents(state: ACTIVE, first: 1) { edges { node { id } } } } }`,
    {},
    admin.token,
  );
  const incident = organization.incidents.edges[0]?.node.id;
  if (!incident) throw new Error("S4: the demo organisation has no active incident to update");
  return { token: admin.token, incident };
}

export interface WritesAloneResult {
  mutationP50Ms: number;
  mutationP99Ms: number;
  serverMutationP99Ms: number | null;
  failedMutations: number;
}

/**
 * S4's baseline: the same writes (warm-up, rate, length, writer process) on the same server with
 * nobody listening. What the mutations cost by themselves on this machine; S4's figure less this
 * is what the fan-out to 5,000 sockets adds.
 */
export async function writesAlone(product: Product, { seconds, rate, timeoutMs }: { seconds: number; rate: number; timeoutMs: number }): Promise<WritesAloneResult> {
  const { token, incident } = await renameTarget(product);
  progress(`S4 baseline: ${WARMUP} warm-up renames, then ${rate} mutations/s for ${seconds} s with nobody listening`);
  const warm = async () => {
    await settle(product.child.pid!);
    // From a collected heap, as S4 under load starts (S2 collects when it reads RSS at 5,000):
    // else the garbage of S2's 5,000 closed sockets is collected during these writes.
    await serverMetrics(product.url, true); // also resets the server's figures for this run
  };
  const { latencies, failed } = await runWriter({ url: product.url, token, incident, seconds, rate, timeoutMs, warmup: WARMUP }, warm, () => {});
  const metrics = await serverMetrics(product.url);
  const result = { mutationP50Ms: percentile(latencies, 50), mutationP99Ms: percentile(latencies, 99), serverMutationP99Ms: metrics?.postP99Ms ?? null, failedMutations: failed };
  progress(`S4 baseline: mutation p99 ${result.mutationP99Ms.toFixed(1)} ms (p50 ${result.mutationP50Ms.toFixed(1)} ms; inside the server ${result.serverMutationP99Ms?.toFixed(1) ?? "n/a"} ms)`);
  return result;
}

export async function writesUnderLoad(
  product: Product,
  subscribers: Subscribers,
  { seconds, rate, timeoutMs }: { seconds: number; rate: number; timeoutMs: number },
): Promise<WritesResult> {
  const { token, incident } = await renameTarget(product);
  const n = subscribers.count;
  const last: (string | null)[] = new Array<string | null>(n).fill(null);
  const got = new Uint32Array(n);
  const all = new Set<string>();
  let duplicated = 0;
  progress(`S4 ${WARMUP} warm-up renames, then ${rate} mutations/s for ${seconds} s with ${n} subscribers`);
  const loadDelay = loopDelay();
  const total = seconds * rate;
  let cpuAtStart = 0;
  let start = 0;
  // After the warm-up's events have reached everyone (the server idle, the sockets read), the
  // count starts: every event from here on is one of the measured mutations'.
  const warm = async () => {
    await settle(product.child.pid!);
    await sleep(1000);
    // The cursor is read off the bytes: parsing 100,000 messages a second would load the load core.
    subscribers.onData = (index, message) => {
      const cursor = cursorOf(message);
      if (!cursor) return;
      all.add(cursor);
      const previous = last[index];
      if (previous != null && cursor <= previous) duplicated++;
      else {
        last[index] = cursor;
        got[index]!++;
      }
    };
    await serverMetrics(product.url); // a read resets the server's histogram: the next covers this run
    loadDelay.enable();
  };
  const started = () => ((cpuAtStart = cpuMs(product.child.pid!)), (start = performance.now()));
  const task = { url: product.url, token, incident, seconds, rate, timeoutMs, warmup: WARMUP };
  const { latencies, failed, probes, loopDelayP99Ms: writerLoopDelayP99Ms, nice: writerNice } = await runWriter(task, warm, started);
  const writesDone = performance.now();
  // Every answered mutation is one event: until all of them have been seen by someone, "everyone
  // has all the events seen so far" may hold before the last event reached anyone.
  const expected = total - failed;
  const complete = () => all.size >= expected && got.every((g) => g >= all.size);
  const deadline = writesDone + timeoutMs;
  while (!complete() && performance.now() < deadline) await sleep(20);
  const drainMs = performance.now() - writesDone;
  const serverCpuPerSecond = (cpuMs(product.child.pid!) - cpuAtStart) / (performance.now() - start);
  loadDelay.disable();
  const metrics = await serverMetrics(product.url);
  subscribers.onData = () => {};

  let lost = 0;
  for (const g of got) lost += Math.max(0, Math.max(all.size, expected) - g);
  const result: WritesResult = {
    subscribers: n,
    seconds,
    mutations: total,
    failedMutations: failed,
    mutationP50Ms: percentile(latencies, 50),
    mutationP99Ms: percentile(latencies, 99),
    events: all.size,
    lost,
    duplicated,
    serverLoopDelayP99Ms: metrics?.eventLoopDelayP99Ms ?? null,
    serverMutationP99Ms: metrics?.postP99Ms ?? null,
    healthProbeP99Ms: percentile(probes, 99),
    loadLoopDelayP99Ms: loadDelay.p99Ms(),
    writerLoopDelayP99Ms,
    writerNice,
    serverCpuPerSecond,
    drainMs,
    drainTimedOut: !complete(),
  };
  progress(
    `S4 mutation p99 ${result.mutationP99Ms.toFixed(1)} ms (inside the server ${result.serverMutationP99Ms?.toFixed(1) ?? "n/a"} ms), server loop delay p99 ${result.serverLoopDelayP99Ms?.toFixed(1) ?? "n/a"} ms (health probe p99 ${result.healthProbeP99Ms.toFixed(1)} ms; writer's loop ${result.writerLoopDelayP99Ms.toFixed(1)} ms at nice ${writerNice}, subscribers' ${result.loadLoopDelayP99Ms.toFixed(1)} ms), ${result.events} events, lost ${lost}, duplicated ${duplicated}, drained in ${drainMs.toFixed(0)} ms; server CPU ${serverCpuPerSecond.toFixed(2)} s per s`,
  );
  return result;
}

export interface ClientCheck {
  broadcasts: number;
  /** The load process's own loop delay while the raw server sends the same rate to the same number of sockets. */
  loadLoopDelayP99Ms: number;
  /** Messages that had not arrived when the check ended (it waits up to `timeoutMs` after the last broadcast). */
  missing: number;
}

/**
 * Can this load process take S4's rate at all? The raw `ws` server sends the same sockets the
 * same number of frames a second — in bursts of BURST frames per socket, each burst one write
 * per socket, because one system call per frame (100,000 a second) is more than one core can
 * make — and the load process's loop delay is read as in S4: when it is high here too, S4's
 * figures measured from this process include its own backlog, not only the server's.
 */
export async function clientCheck(
  raw: RawServer,
  subscribers: Subscribers,
  payload: string,
  { seconds, rate, timeoutMs }: { seconds: number; rate: number; timeoutMs: number },
): Promise<ClientCheck> {
  const BURST = 4;
  const n = subscribers.count;
  const got = new Uint32Array(n);
  // The same per-message work as S4's check: find the cursor in the bytes, count it.
  subscribers.onData = (index, message) => {
    if (cursorOf(message) !== null) got[index]!++;
  };
  const loadDelay = loopDelay();
  loadDelay.enable();
  progress(`S4 client check: the raw server sends ${rate} frames/s (bursts of ${BURST}) to ${n} sockets for ${seconds} s`);
  const bursts = Math.round((seconds * rate) / BURST);
  const total = bursts * BURST;
  const start = performance.now();
  for (let k = 0; k < bursts; k++) {
    await sleep(Math.max(0, start + (k * 1000 * BURST) / rate - performance.now()));
    await raw.burst(payload, BURST);
  }
  const deadline = performance.now() + timeoutMs;
  while (got.some((g) => g < total) && performance.now() < deadline) await sleep(20);
  loadDelay.disable();
  subscribers.onData = () => {};
  let missing = 0;
  for (const g of got) missing += Math.max(0, total - g);
  const result = { broadcasts: total, loadLoopDelayP99Ms: loadDelay.p99Ms(), missing };
  progress(`S4 client check: load process loop delay p99 ${result.loadLoopDelayP99Ms.toFixed(1)} ms, ${missing} missing`);
  return result;
}
