// S3 cross-instance: subscribers on instance B; the same change made alternately through B
// (same instance, the S2 path) and through C (the event reaches B over Redis). The added median
// latency is cross − same on the same sockets in the same run (median of 9 / 15 rounds each: one
// round moves by tens of ms on a loaded machine); its bound is one Redis round trip
// (PUBLISH → message, measured here with ioredis) plus 2 ms. B and C are both started for S3,
// alike: the change is never made through the run's first instance, which has been through every
// other scenario (its heap, caches and sockets), so both sides are measured the same way.
import { Redis } from "ioredis";
import { demoAdmin, gql, LOAD_CORE, median, progress, SET_STATUS, settle, sleep, startProduct, wsUrl, type Product } from "./lib.ts";
import { FANOUT_SUBSCRIPTION } from "./s2-fanout.ts";
import { deliveries, Subscribers } from "./subscribers.ts";

export interface CrossInstanceResult {
  subscribers: number;
  rounds: number;
  /** Median over rounds of the per-subscriber median latency, change made on B (subscribers' instance). */
  sameMedianMs: number;
  /** The same, change made on A. */
  crossMedianMs: number;
  addedMs: number;
  redisRoundTripMs: number;
  /** addedMs ÷ (redisRoundTripMs + 2): the target is ≤ 1. */
  ratio: number;
}

/** Median PUBLISH → message round trip on one channel between two ioredis connections. */
export async function redisRoundTrip(url: string, samples = 200): Promise<number> {
  const publisher = new Redis(url);
  const subscriber = new Redis(url);
  const channel = `bench:rtt:${process.pid}`;
  try {
    await subscriber.subscribe(channel);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const got = new Promise<void>((resolve) => subscriber.once("message", () => resolve()));
      const t = performance.now();
      await publisher.publish(channel, String(i));
      await got;
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    publisher.disconnect();
    subscriber.disconnect();
  }
}

export async function crossInstance(a: Product, { databaseUrl, redisUrl, subscribers: n, rounds }: { databaseUrl: string; redisUrl: string; subscribers: number; rounds: number }): Promise<CrossInstanceResult> {
  progress("S3 starting instances B and C on the same database and Redis");
  // C on the load core, not beside B: two instances are two machines in production. On one core
  // the cross change made B wait for C to give the core up (C finishing its answer, then the
  // scheduler's turn) — milliseconds on a loaded machine that no deployment has (docs/adr/0022).
  // The load process is idle while C works (it only waits for C's answer and B's frames).
  const [b, c] = await Promise.all([startProduct({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }), startProduct({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, LOAD_CORE)]);
  const sockets = new Subscribers(`${wsUrl(b.url)}/graphql/public`);
  try {
    // The first instance only says where the demo's service stands; C makes the cross changes.
    const adminA = await demoAdmin(a.url);
    const adminB = await demoAdmin(b.url);
    const adminC = await demoAdmin(c.url);
    const rtt = await redisRoundTrip(redisUrl);
    progress(`S3 Redis round trip ${rtt.toFixed(2)} ms; opening ${n} subscribers on B`);
    await sockets.add(n, () => ({ query: FANOUT_SUBSCRIPTION }));
    await settle(b.child.pid!);
    const same: number[] = [];
    const cross: number[] = [];
    // Two warm-up changes through each instance (not counted): both start cold (JIT, Prisma's
    // query compiler), and only B would otherwise have warmed up by answering S3's set-up.
    const WARM_UP = 4;
    for (let r = 0; r < WARM_UP + rounds * 2; r++) {
      // Alternating, so drift on this shared machine touches both sides alike.
      const [instance, admin, kept] = r % 2 === 0 ? [b, adminB, same] : [c, adminC, cross];
      const into = r < WARM_UP ? [] : kept;
      const status = adminA.toggle(); // one toggle for both: they change the same service
      const round = deliveries(sockets, n, 30_000);
      const t0 = performance.now();
      await gql(instance.url, SET_STATUS, { id: admin.serviceId, s: status }, admin.token);
      into.push((await round.wait(t0)).medianMs);
      await sleep(200);
    }
    const sameMedianMs = median(same);
    const crossMedianMs = median(cross);
    const addedMs = crossMedianMs - sameMedianMs;
    progress(`S3 median delivery: same instance ${sameMedianMs.toFixed(1)} ms, across Redis ${crossMedianMs.toFixed(1)} ms (+${addedMs.toFixed(1)} ms)`);
    return { subscribers: n, rounds, sameMedianMs, crossMedianMs, addedMs, redisRoundTripMs: rtt, ratio: addedMs / (rtt + 2) };
  } finally {
    await sockets.close();
    await Promise.all([b.stop(), c.stop()]);
  }
}
