// Several instances of the product on one PostgreSQL database and one Redis, as in production,
// and a redis-server a test owns so that it can kill it (the outage tests).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AppConfig } from "../src/config.ts";
import { startTestApp, type TestApp } from "./harness.ts";

/** Instance A on a fresh database, instance B on the same database: B stops first, A drops it. */
export async function twoInstances(redis: string | undefined, overrides: Partial<AppConfig> = {}): Promise<{ a: TestApp; b: TestApp; stop(): Promise<void> }> {
  const a = await startTestApp({ ...overrides, redisUrl: redis });
  const b = await startTestApp({ ...overrides, redisUrl: redis, databaseUrl: a.config.databaseUrl });
  return {
    a,
    b,
    async stop() {
      await b.stop();
      await a.stop();
    },
  };
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A redis-server of the test's own, on a free port, that it can kill and start again. */
export async function ownRedis(): Promise<{ port: number; start(): Promise<void>; kill(): Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  let child: ChildProcess | null = null;
  return {
    port,
    async start() {
      child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      await waitUntil(
        () =>
          new Promise((resolve) => {
            const socket = createServer().listen(port, "127.0.0.1", () => socket.close(() => resolve(false)));
            socket.on("error", () => resolve(true)); // port taken: redis is listening
          }),
        5_000,
      );
    },
    async kill() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill("SIGKILL");
      });
    },
  };
}
