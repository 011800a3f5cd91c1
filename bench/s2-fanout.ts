// S2 fan-out: N public WebSocket subscribers (graphql-ws, from this load process), one change,
// time until the last has it; against the raw `ws` server broadcasting the same frame to sockets
// opened by the same client code. Memory per subscriber is the server's RSS growth over the
// second half of the N subscribers (the first half pays for warm-up: JIT, pools, buffers),
// each reading taken after a full collection (GET /metrics?gc=1; the raw server's own gc).
import { demoAdmin, gql, median, progress, rssBytes, SET_STATUS, settle, sleep, wsUrl, type Product } from "./lib.ts";
import { startRaw, type RawServer } from "./raw-server.ts";
import { deliveries, Subscribers } from "./subscribers.ts";

/**
 * Changes (broadcasts, on the raw side) made and waited for at each size before the measured
 * rounds, alike on both sides: the first fan-outs of a process run code V8 has not optimised yet
 * (rounds of 171, 121 and 95 ms in one run, a median of the cold first three), and a status
 * page under load has long been warm. What S2 compares is the steady state (docs/adr/0028).
 */
const WARMUP_ROUNDS = 2;

export const FANOUT_SUBSCRIPTION = `subscription { statusPageEvents(slug: "dance") { cursor kind service { id status } } }`;

export interface Delivery {
  /** Medians over the rounds, ms from the change (product: mutation sent; raw: broadcast ordered). */
  firstMs: number;
  medianMs: number;
  lastMs: number;
  rounds: number[];
  missing: number;
  /**
   * Product only: median ms from sending the mutation to its answer (the commit and the HTTP
   * round trip). Part of lastMs: the raw baseline has nothing to commit, so lastMs − answeredMs
   * is the part the fan-out itself takes (docs/adr/0015).
   */
  answeredMs?: number;
}

export interface FanoutResult {
  subscribers: number;
  product: Delivery & { rssPerSubscriberBytes: number; rssPerSubscriberBeforeGcBytes: number; rssBytes: number };
  raw: Delivery & { rssPerSubscriberBytes: number; rssPerSubscriberBeforeGcBytes: number; rssBytes: number };
  /** product last ÷ raw last: the target is ≤ 1.5. */
  ratio: number;
}

type Round = Awaited<ReturnType<ReturnType<typeof deliveries>["wait"]>>;

const summarise = (rounds: Round[]): Delivery => ({
  firstMs: median(rounds.map((r) => r.firstMs)),
  medianMs: median(rounds.map((r) => r.medianMs)),
  lastMs: median(rounds.map((r) => r.lastMs)),
  rounds: rounds.map((r) => Math.round(r.lastMs * 10) / 10),
  missing: Math.max(...rounds.map((r) => r.missing)),
});

/**
 * Grows the subscribers to each size in turn, measuring memory at half and full size and
 * `rounds` changes at full size; `atSize` lets S4 run with the product's sockets still open.
 */
export async function fanout(
  product: Product,
  {
    sizes,
    rounds,
    atSize,
    atRawSize,
  }: {
    sizes: number[];
    rounds: number;
    atSize?: (size: number, subscribers: Subscribers) => Promise<void>;
    /** The same moment on the raw side (S4's client check): the raw server, its sockets and the product's payload. */
    atRawSize?: (size: number, subscribers: Subscribers, raw: RawServer, payload: string) => Promise<void>;
  },
): Promise<FanoutResult[]> {
  const admin = await demoAdmin(product.url);
  const pid = product.child.pid!;
  const productSide: { size: number; delivery: Delivery; perSub: number; perSubBeforeGc: number; rss: number }[] = [];
  let payload: string | null = null;

  const grow = async (subscribers: Subscribers, size: number, serverPid: number, label: string, collect: () => Promise<unknown>) => {
    const half = Math.floor(size / 2);
    if (subscribers.count < half) await subscribers.add(half - subscribers.count, () => ({ query: FANOUT_SUBSCRIPTION }));
    await settle(serverPid);
    const atHalfBeforeGc = rssBytes(serverPid);
    await collect();
    const atHalf = rssBytes(serverPid);
    progress(`S2 ${label}: ${subscribers.count} subscribers, RSS ${(atHalf / 2 ** 20).toFixed(0)} MiB; opening ${size - subscribers.count} more`);
    await subscribers.add(size - subscribers.count, () => ({ query: FANOUT_SUBSCRIPTION }));
    await settle(serverPid);
    const atFullBeforeGc = rssBytes(serverPid);
    await collect();
    const atFull = rssBytes(serverPid);
    // Both readings: after a full collection (what the sockets hold) and before (what the
    // issue's "36 KB today" measured, garbage included).
    return { perSub: (atFull - atHalf) / (size - half), perSubBeforeGc: (atFullBeforeGc - atHalfBeforeGc) / (size - half), rss: atFull };
  };

  const product$ = new Subscribers(`${wsUrl(product.url)}/graphql/public`);
  try {
    for (const size of sizes) {
      const memory = await grow(product$, size, pid, "product", () => fetch(`${product.url}/metrics?gc=1`).then((r) => r.arrayBuffer()).catch(() => undefined));
      const results: Round[] = [];
      const answered: number[] = [];
      for (let r = -WARMUP_ROUNDS; r < rounds; r++) {
        const round = deliveries(product$, size, 30_000);
        const t0 = performance.now();
        await gql(product.url, SET_STATUS, { id: admin.serviceId, s: admin.toggle() }, admin.token);
        const answeredMs = performance.now() - t0;
        const delivered = await round.wait(t0);
        payload ??= round.payload();
        if (r >= 0) {
          answered.push(answeredMs);
          results.push(delivered);
        }
        await sleep(200);
      }
      const delivery = { ...summarise(results), answeredMs: median(answered) };
      progress(
        `S2 product, ${size} subscribers: last delivery ${delivery.lastMs.toFixed(0)} ms (rounds ${delivery.rounds.join(", ")}; mutation answered at ${delivery.answeredMs.toFixed(0)} ms), ${(memory.perSub / 1024).toFixed(1)} KiB per subscriber`,
      );
      productSide.push({ size, delivery, ...memory });
      if (atSize) await atSize(size, product$);
    }
  } finally {
    await product$.close();
  }
  if (!payload) throw new Error("S2: no event reached the subscribers");

  const raw = await startRaw();
  const raw$ = new Subscribers(`${wsUrl(raw.url)}/graphql/public`);
  const results: FanoutResult[] = [];
  try {
    for (const [i, size] of sizes.entries()) {
      const memory = await grow(raw$, size, raw.pid, "raw ws", () => raw.gc());
      const rawRounds: Round[] = [];
      for (let r = -WARMUP_ROUNDS; r < rounds; r++) {
        const round = deliveries(raw$, size, 30_000);
        const t0 = performance.now();
        await raw.broadcast(payload);
        const delivered = await round.wait(t0);
        if (r >= 0) rawRounds.push(delivered);
        await sleep(200);
      }
      const delivery = summarise(rawRounds);
      progress(`S2 raw ws, ${size} subscribers: last delivery ${delivery.lastMs.toFixed(0)} ms`);
      if (atRawSize) await atRawSize(size, raw$, raw, payload);
      const p = productSide[i]!;
      results.push({
        subscribers: size,
        product: { ...p.delivery, rssPerSubscriberBytes: Math.round(p.perSub), rssPerSubscriberBeforeGcBytes: Math.round(p.perSubBeforeGc), rssBytes: p.rss },
        raw: { ...delivery, rssPerSubscriberBytes: Math.round(memory.perSub), rssPerSubscriberBeforeGcBytes: Math.round(memory.perSubBeforeGc), rssBytes: memory.rss },
        ratio: p.delivery.lastMs / delivery.lastMs,
      });
    }
  } finally {
    await raw$.close();
    await raw.stop();
  }
  return results;
}
