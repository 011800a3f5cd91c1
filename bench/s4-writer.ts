// S4's writer: the open-loop mutations and the /health probe, in a process of their own on the
// load core. The load process holds the 5,000 sockets taking 100,000 frames a second; timed
// from there, a mutation's answer waits behind that backlog (its loop delay was 57–66 ms in the
// client check), and S4 measured the load generator instead of the server. A separate, mostly
// idle process is woken by the kernel as soon as the answer arrives, like a real admin's
// browser, which does not hold 5,000 subscriptions either. It also asks for a higher scheduling
// priority than the load process (niceness -10, where permitted: root, CAP_SYS_NICE): a real
// admin's browser does not share a core with 5,000 sockets, and at equal priority the kernel now
// and then let an answer wait for the load process's time slice (a 70 ms p99 from the writer
// while the server's own p99 was 21 ms; docs/adr/0028).
import { Agent, request } from "node:http";
import { getPriority, setPriority } from "node:os";
import { loopDelay, sleep } from "./lib.ts";

export interface WriterTask {
  url: string;
  token: string;
  incident: string;
  seconds: number;
  rate: number;
  timeoutMs: number;
  /** Renames made one after another before the measured ones, then "warm" is sent and "go" awaited. */
  warmup: number;
}

export interface WriterReport {
  latencies: number[];
  failed: number;
  probes: number[];
  loopDelayP99Ms: number;
  /** The writer's niceness while it ran (-10 when raising its priority was permitted, else the load's). */
  nice: number;
}

/**
 * One GraphQL POST on a kept-alive connection with node:http: fetch (undici) added 4–10 ms to
 * a 10 ms mutation's p99 here, which is the load tool's time, not the server's. Throws on errors.
 */
const agent = new Agent({ keepAlive: true });
function post(url: string, token: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: "POST", agent, timeout: timeoutMs, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString()) as { data?: unknown; errors?: unknown };
        if (res.statusCode === 200 && answer.data) resolve();
        else reject(new Error(`GraphQL ${res.statusCode}: ${JSON.stringify(answer.errors)}`));
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}
const rename = (url: string, token: string, incident: string, title: string, timeoutMs: number) =>
  post(url, token, JSON.stringify({ query: RENAME, variables: { id: incident, title } }), timeoutMs);

const RENAME = `mutation($id: ID!, $title: String!) { updateIncident(input: { id: $id, title: $title }) { id } }`;

/** Niceness asked for (lower runs first); refused without the privilege, which only costs accuracy. */
const WRITER_NICE = -10;

async function run({ url, token, incident, seconds, rate, timeoutMs, warmup }: WriterTask): Promise<WriterReport> {
  // The first renames of a process compile their code paths (V8, Prisma's query plans) and
  // open this process's connection: 20–35 ms each, a steady-state mutation's p99 otherwise.
  for (let k = 0; k < warmup; k++) await rename(url, token, incident, `Degraded API (warm-up ${k})`, timeoutMs);
  await new Promise<void>((resolve) => {
    process.once("message", () => resolve());
    process.send!("warm");
  });
  const delay = loopDelay();
  delay.enable();
  const probes: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t = performance.now();
      // Bounded, so a saturated server ends the probe with the writes instead of long after.
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.arrayBuffer()).catch(() => undefined);
      probes.push(performance.now() - t);
      await sleep(Math.max(0, 50 - (performance.now() - t)));
    }
  })();
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const total = seconds * rate;
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    // Open loop: each mutation leaves on schedule whether or not the previous one answered.
    const due = start + (k * 1000) / rate;
    await sleep(Math.max(0, due - performance.now()));
    const t = performance.now();
    inFlight.push(
      rename(url, token, incident, `Degraded API (write ${k})`, timeoutMs).then(
        () => void latencies.push(performance.now() - t),
        // A mutation still unanswered after the timeout counts at the timeout (and as failed).
        () => void (failed++, latencies.push(timeoutMs)),
      ),
    );
  }
  await Promise.all(inFlight);
  probing = false;
  await probe;
  delay.disable();
  return { latencies, failed, probes, loopDelayP99Ms: delay.p99Ms(), nice: getPriority() };
}

try {
  setPriority(WRITER_NICE);
} catch {
  // Not permitted: the writer shares the load core at the load's priority (noted in the report).
}
process.send!("ready");
process.once("message", (task: WriterTask) => {
  run(task).then(
    (report) => process.send!(report, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
