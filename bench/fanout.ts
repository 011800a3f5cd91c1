// Fan-out benchmark (issue 10, S2): how fast one change reaches N public WebSocket subscribers of
// the product, against a raw `ws` server broadcasting the same frame to sockets opened by the
// same client code (bench/raw-ws.ts), and what an idle subscriber costs the server in memory.
// The server (product or raw) runs on core 1, this load on core 0.
//   npm run bench:fanout                         (2,000 subscribers, 10 changes)
//   BENCH_SUBSCRIBERS=5000 BENCH_CHANGES=10 npm run bench:fanout
// Memory per subscriber is the server's RSS growth over the second half of the subscribers,
// each half measured after a change reached every subscriber (so every subscription is live).
// Every client subscribes with the id "1" so that the raw server can send one frame, byte for
// byte, to all of them; the product still builds each socket's frame from that socket's id.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { rssKbOf, startRawWsBroadcast } from "./raw-ws.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 2000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 10);
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

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn("taskset", ["-c", "1", "node", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : []), "--import", "tsx", "api/src/main.ts"], {
    env: { ...process.env, PORT: String(port), DATA_DIR: "memory://", DEMO: "1", LOG_LEVEL: "warn", PUBLIC_RATE_LIMIT: "0", AUTH_RATE_LIMIT: "0", MAX_CONNECTIONS_PER_IP: "0", LOAD_SHED_LAG_MS: "0", DATABASE_URL: "", REDIS_URL: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 900; i++) {
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

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** N graphql-ws clients, each with one subscription; counts what arrives. */
class Audience {
  readonly clients: Client[] = [];
  received = 0;
  errors = 0;
  last: unknown = null;
  private target = Infinity;
  private reached: ((at: number) => void) | null = null;

  async open(wsUrl: string, count: number): Promise<void> {
    let connected = 0;
    for (let i = 0; i < count; i++) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => {}, generateID: () => "1" });
      client.on("connected", () => connected++);
      this.clients.push(client);
      client.subscribe(
        { query: SELECTION },
        {
          next: (result) => {
            this.last = result;
            if (++this.received >= this.target && this.reached) {
              const reached = this.reached;
              this.reached = null;
              reached(performance.now());
            }
          },
          error: (error) => {
            if (this.errors++ === 0) console.error("subscription error", error);
          },
          complete: () => {},
        },
      );
      // A few hundred handshakes at a time: the listen backlog is finite.
      if (i % 200 === 199) while (connected < i + 1 - 100) await sleep(5);
    }
    while (connected < count) await sleep(20);
  }

  /** Runs `trigger` and resolves with the ms until every client has received one more result. */
  async round(trigger: () => Promise<unknown>, timeoutMs = 60_000): Promise<number> {
    this.target = this.received + this.clients.length;
    const done = new Promise<number>((resolve) => (this.reached = resolve));
    const started = performance.now();
    await trigger();
    const at = await Promise.race([done, sleep(timeoutMs).then(() => -1)]);
    if (at < 0) throw new Error(`delivery timed out: ${this.received}/${this.target}`);
    return at - started;
  }

  dispose(): void {
    for (const client of this.clients) void client.dispose();
  }
}

interface Run {
  times: number[];
  kbPerSubscriber: number;
  frame?: string;
}

async function measure(wsUrl: string, pid: number, trigger: () => Promise<unknown>): Promise<Run> {
  const audience = new Audience();
  const half = Math.floor(SUBSCRIBERS / 2);
  await audience.open(wsUrl, half);
  // A first change proves every subscription is registered (and warms the path).
  await audience.round(trigger);
  await sleep(1_000);
  const rssHalf = rssKbOf(pid);
  await audience.open(wsUrl, SUBSCRIBERS - half);
  await audience.round(trigger);
  await sleep(1_000);
  const rssFull = rssKbOf(pid);
  const times: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    times.push(await audience.round(trigger));
    await sleep(200);
  }
  const frame = `{"id":"1","type":"next","payload":${JSON.stringify(audience.last)}}`;
  audience.dispose();
  return { times, kbPerSubscriber: (rssFull - rssHalf) / (SUBSCRIBERS - half), frame };
}

async function product(): Promise<Run> {
  const { url, child } = await startServer();
  try {
    const { logIn } = await gql<{ logIn: { token: string } }>(url, `mutation { logIn(input: { email: "admin@dance.example", password: "demo-password" }) { token } }`);
    const { organization } = await gql<{ organization: { services: { id: string }[] } }>(url, `{ organization(slug: "dance") { services { id } } }`, {}, logIn.token);
    const serviceId = organization.services[0]!.id;
    let i = 0;
    const statuses = ["DEGRADED_PERFORMANCE", "OPERATIONAL"];
    const change = () => gql(url, `mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`, { id: serviceId, s: statuses[i++ % 2] }, logIn.token);
    return await measure(url.replace("http", "ws") + "/graphql/public", child.pid!, change);
  } finally {
    child.kill("SIGTERM");
  }
}

async function raw(frame: string): Promise<Run> {
  const server = await startRawWsBroadcast(frame);
  try {
    return await measure(server.url, server.child.pid!, () => server.broadcast());
  } finally {
    await server.stop();
  }
}

const ours = await product();
const baseline = await raw(ours.frame!);
const p50 = (r: Run) => percentile(r.times, 50);
console.log(`\nFan-out: ${SUBSCRIBERS} public WebSocket subscribers, ${CHANGES} changes, frame ${ours.frame!.length} bytes (PGlite, one instance)\n`);
console.log("server         p50 all delivered   max      KB per idle subscriber");
for (const [label, r] of [["product", ours], ["raw ws", baseline]] as const) {
  console.log(`${label.padEnd(15)}${`${p50(r).toFixed(0)} ms`.padEnd(20)}${`${Math.max(...r.times).toFixed(0)} ms`.padEnd(9)}${r.kbPerSubscriber.toFixed(1)}`);
}
console.log(`\nratio (p50): ${(p50(ours) / p50(baseline)).toFixed(2)}×   (target ≤ 1.5×; ≤ 20 KB per subscriber)`);
console.log(`times product: ${ours.times.map((t) => t.toFixed(0)).join(" ")}\ntimes raw:     ${baseline.times.map((t) => t.toFixed(0)).join(" ")}`);
process.exit(0);
