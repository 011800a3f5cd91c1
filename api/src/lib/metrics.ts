// Opt-in diagnostics for the benchmark (METRICS=1, docs/PERFORMANCE.md): GET /metrics answers
// {eventLoopDelayP99Ms, rssBytes, dbQueries, postP99Ms, posts}. The loop-delay histogram and the
// POST durations restart on every read,
// so two reads bracket a measurement; the query count is per process and only grows. With
// `?gc=1` on a process started with --expose-gc (the benchmark's), a full collection runs first,
// so RSS growth measures what is held rather than when the collector last ran.
//
// METRICS_TRACE=<file> (with METRICS=1) also appends, for each POST that ran alone (no other POST
// in flight, so every statement in its window is its own or background work's), one JSON line:
// [[msSinceStart, durationMs, what], …] from "request" to "answered", with each SQL statement
// (its first 60 characters), each transaction's start and commit. `node --import tsx
// bench/timeline.ts <file>` summarises them: where a mutation's time goes, statement by
// statement and between statements (docs/PERFORMANCE.md, S4).
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

let dbQueries = 0;

type Timeline = [start: number, durationMs: number, what: string][];
/** The timeline being recorded (the one POST in flight), when tracing. */
let tracing: Timeline | null = null;

function timed(what: string, started: number): void {
  tracing?.push([started, performance.now() - started, what]);
}

type Method = (...args: unknown[]) => unknown;

/** Wraps a driver adapter (or one of its transactions) so every SQL statement is counted. */
function counted<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const value = (object as Record<PropertyKey, unknown>)[property];
      if (typeof value !== "function") return value;
      const method = value as Method;
      if (property === "queryRaw" || property === "executeRaw") {
        return (...args: unknown[]) => {
          dbQueries++;
          if (!tracing) return method.apply(object, args);
          const started = performance.now();
          const { sql } = args[0] as { sql: string };
          return Promise.resolve(method.apply(object, args)).finally(() => timed(sql.replace(/\s+/g, " ").trim().slice(0, 60), started));
        };
      }
      if (tracing && (property === "commit" || property === "rollback")) {
        return (...args: unknown[]) => {
          const started = performance.now();
          return Promise.resolve(method.apply(object, args)).finally(() => timed(String(property), started));
        };
      }
      // A transaction is a connection of its own: its statements count too.
      if (property === "startTransaction" || property === "connect") {
        return async (...args: unknown[]) => {
          const started = performance.now();
          const connection = counted((await method.apply(object, args)) as object);
          if (property === "startTransaction") timed("begin", started);
          return connection;
        };
      }
      return method.bind(object);
    },
  });
}

/** The Prisma driver-adapter factory, counting the statements of every connection it makes. */
export function countQueries<F extends object>(factory: F): F {
  return counted(factory);
}

export interface Metrics {
  snapshot(collect?: boolean): { eventLoopDelayP99Ms: number; rssBytes: number; heapUsedBytes: number; dbQueries: number; postP99Ms: number | null; posts: number };
  /**
   * A POST took `ms` from its request's headers being read to its answer's last byte handed to
   * the kernel (time spent waiting to be read shows as loop delay instead):
   * the server's own share of a mutation's latency (S4), which a load process that is itself
   * behind cannot measure.
   */
  post(ms: number): void;
  /** A POST starts (METRICS_TRACE records its statements); call the result once it is answered. */
  postStarted(): (() => void) | null;
  stop(): void;
}

/**
 * The loop-delay sampler's timer period. Node's histogram records the time between its timer's
 * runs, period included (an idle process reads 10.1 ms at p99): the period is subtracted, so
 * the figure is the delay itself.
 */
const RESOLUTION_MS = 10;

/**
 * Records the timeline of each POST that runs alone into `file` (METRICS_TRACE). Returns the
 * function app.ts calls as a POST starts; it returns the one to call once it is answered.
 */
function statementTrace(file: string): () => () => void {
  let inFlight = 0;
  let overlapped = false;
  return () => {
    const started = performance.now();
    const timeline: Timeline = [[started, 0, "request"]];
    overlapped = inFlight++ > 0;
    tracing = overlapped ? null : timeline;
    return () => {
      inFlight--;
      const alone = tracing === timeline && !overlapped;
      if (tracing === timeline) tracing = null;
      if (!alone) return;
      timeline.push([performance.now(), 0, "answered"]);
      appendFileSync(file, `${JSON.stringify(timeline.map(([at, ms, what]) => [round(at - started), round(ms), what]))}\n`);
    };
  };
}
const round = (ms: number) => Math.round(ms * 100) / 100;

export function createMetrics(traceFile?: string): Metrics {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const trace = traceFile ? statementTrace(traceFile) : null;
  let posts: number[] = [];
  return {
    snapshot(collect = false) {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (collect && gc) gc();
      const memory = process.memoryUsage();
      posts.sort((a, b) => a - b);
      const postP99Ms = posts.length > 0 ? posts[Math.min(posts.length - 1, Math.ceil(posts.length * 0.99) - 1)]! : null;
      const result = { eventLoopDelayP99Ms: Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS), rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, dbQueries, postP99Ms, posts: posts.length };
      delay.reset();
      posts = [];
      return result;
    },
    post(ms) {
      posts.push(ms);
    },
    postStarted: () => trace?.() ?? null,
    stop: () => delay.disable(),
  };
}
