// Fan-out benchmark: how fast one change reaches many public WebSocket subscribers, and what it
// costs the server, with the shared execution (default) against the per-socket baseline
// (SHARED_FANOUT=0), side by side in one run. The server runs on core 1, this load on core 0.
//   npm run bench                       (300 subscribers, 20 changes)
//   BENCH_SUBSCRIBERS=1000 npm run bench
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 300);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const SELECTION = `subscription { statusPageEvents(slug: "dance") { cursor kind serviceStatus occurredAt
  service { id name status statusSince statusSource { kind } uptime(days: 30) { date operationalRatio worstStatus } }
  incident { id title status updates { message } } } }`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(shared: boolean): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn("taskset", ["-c", "1", "node", "--import", "tsx", "api/src/main.ts"], {
    env: { ...process.env, PORT: String(port), DATA_DIR: "memory://", DEMO: "1", LOG_LEVEL: "warn", PUBLIC_RATE_LIMIT: "0", AUTH_RATE_LIMIT: "0", MAX_CONNECTIONS_PER_IP: "0", LOAD_SHED_LAG_MS: "0", SHARED_FANOUT: shared ? "1" : "0", DATABASE_URL: "", REDIS_URL: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return { url, child };
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("server did not start");
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** CPU time (user + system) the server process has used, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (100 Hz)
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

async function run(shared: boolean) {
  const { url, child } = await startServer(shared);
  try {
    const { logIn } = await gql<{ logIn: { token: string } }>(url, `mutation { logIn(input: { email: "admin@dance.example", password: "demo-password" }) { token } }`);
    const { organization } = await gql<{ organization: { services: { id: string }[] } }>(url, `{ organization(slug: "dance") { services { id } } }`, {}, logIn.token);
    const serviceId = organization.services[0]!.id;
    const arrivals = new Map<string, number[]>();
    const clients: Client[] = [];
    let subscribed = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({ url: url.replace("http", "ws") + "/graphql/public", webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
      clients.push(client);
      client.subscribe(
        { query: SELECTION },
        {
          next: (result) => {
            const cursor = (result.data as { statusPageEvents?: { cursor: string } } | undefined)?.statusPageEvents?.cursor;
            if (cursor) arrivals.set(cursor, [...(arrivals.get(cursor) ?? []), performance.now()]);
          },
          error: () => {},
          complete: () => {},
        },
      );
      client.on("connected", () => subscribed++);
    }
    while (subscribed < SUBSCRIBERS) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // subscriptions registered

    const allDelivered: number[] = [];
    const each: number[] = [];
    const cpuBefore = cpuMs(child.pid!);
    const statuses = ["DEGRADED_PERFORMANCE", "OPERATIONAL"];
    for (let i = 0; i < CHANGES; i++) {
      const before = new Set(arrivals.keys());
      const started = performance.now();
      await gql(url, `mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`, { id: serviceId, s: statuses[i % 2] }, logIn.token);
      let cursor: string | undefined;
      for (;;) {
        cursor = [...arrivals.keys()].find((c) => !before.has(c));
        if (cursor && arrivals.get(cursor)!.length >= SUBSCRIBERS) break;
        if (performance.now() - started > 30_000) throw new Error("delivery timed out");
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const times = arrivals.get(cursor)!;
      allDelivered.push(Math.max(...times) - started);
      each.push(...times.map((t) => t - started));
    }
    const cpuPerChange = (cpuMs(child.pid!) - cpuBefore) / CHANGES;
    for (const client of clients) void client.dispose();
    return { shared, allDelivered, each, cpuPerChange };
  } finally {
    child.kill("SIGTERM");
  }
}

const results = [];
for (const shared of [false, true]) results.push(await run(shared));
console.log(`\nFan-out: ${SUBSCRIBERS} public WebSocket subscribers, ${CHANGES} status changes, one instance (PGlite, in-process bus)\n`);
console.log("mode                    p50 all-delivered  p95 all-delivered  p50 per-subscriber  server CPU per change");
for (const r of results) {
  const label = r.shared ? "shared execution" : "per-socket (baseline)";
  console.log(
    `${label.padEnd(24)}${`${percentile(r.allDelivered, 50).toFixed(0)} ms`.padEnd(19)}${`${percentile(r.allDelivered, 95).toFixed(0)} ms`.padEnd(19)}${`${percentile(r.each, 50).toFixed(0)} ms`.padEnd(20)}${r.cpuPerChange.toFixed(0)} ms`,
  );
}
process.exit(0);
