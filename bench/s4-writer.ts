// S4's writer: the open-loop mutations and the /health probe, in a process of their own on the
// load core. The load process holds the 5,000 sockets taking 100,000 frames a second; timed
// from there, a mutation's answer waits behind that backlog (its loop delay was 57–66 ms in the
// client check), and S4 measured the load generator instead of the server. A separate, mostly
// idle process is woken by the kernel as soon as the answer arrives, like a real admin's
// browser, which does not hold 5,000 subscriptions either.
import { gql, loopDelay, sleep } from "./lib.ts";

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
}

const RENAME = `mutation($id: ID!, $title: String!) { updateIncident(input: { id: $id, title: $title }) { id } }`;

async function run({ url, token, incident, seconds, rate, timeoutMs, warmup }: WriterTask): Promise<WriterReport> {
  // The first renames of a process compile their code paths (V8, Prisma's query plans) and
  // open this process's connection: 20–35 ms each, a steady-state mutation's p99 otherwise.
  for (let k = 0; k < warmup; k++) await gql(url, RENAME, { id: incident, title: `Degraded API (warm-up ${k})` }, token);
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
      gql(url, RENAME, { id: incident, title: `Degraded API (write ${k})` }, token, AbortSignal.timeout(timeoutMs)).then(
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
  return { latencies, failed, probes, loopDelayP99Ms: delay.p99Ms() };
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
