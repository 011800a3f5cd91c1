// The hub delivers events carried by an announcement only when they continue its log exactly;
// anything else means "read the log" (docs/adr/0022).
import { describe, expect, it } from "vitest";
import type { Event } from "../../generated/prisma/client.ts";
import { continuation, EventHub } from "./hub.ts";

const event = (position: number): Event => ({
  organizationId: "org",
  position: BigInt(position),
  kind: "INCIDENT_UPDATED",
  occurredAt: new Date(0),
  serviceId: null,
  incidentId: "inc",
  maintenanceId: null,
  serviceStatus: null,
});

describe("continuation of carried events", () => {
  it("takes events that start right after the last delivered and end at the announced position", () => {
    expect(continuation([event(5), event(6)], 4n, 6n)?.map((e) => e.position)).toEqual([5n, 6n]);
  });

  it("drops what was already delivered and keeps the rest", () => {
    expect(continuation([event(5), event(6)], 5n, 6n)?.map((e) => e.position)).toEqual([6n]);
  });

  it("refuses a gap before, a gap between, nothing new, or an announcement beyond them", () => {
    expect(continuation([event(6)], 4n, 6n)).toBeNull(); // 5 not seen yet (lost or overtaken)
    expect(continuation([event(5), event(7)], 4n, 7n)).toBeNull();
    expect(continuation([event(5)], 5n, 5n)).toBeNull();
    expect(continuation([event(5)], 4n, 6n)).toBeNull();
  });
});

describe("a delivery in slices", () => {
  // A log in memory behind the two reads the hub makes, and a bus that announces synchronously.
  function fixture() {
    const log: Event[] = [];
    let listener: ((position: bigint, events?: readonly Event[]) => void) | null = null;
    const prisma = {
      organization: {
        findUnique: () => Promise.resolve({ eventSeq: BigInt(log.length) }),
        findMany: () => Promise.resolve([{ id: "org", eventSeq: BigInt(log.length) }]),
      },
      event: { findMany: ({ where }: { where: { position: { gt: bigint } } }) => Promise.resolve(log.filter((e) => e.position > where.position.gt)) },
    };
    const bus = {
      publish: () => {},
      subscribe: (_org: string, l: typeof listener) => Promise.resolve(((listener = l), () => (listener = null))),
      onReconnect: () => {},
      healthy: () => true,
      close: () => Promise.resolve(),
    };
    const logger = { warn: () => {}, error: () => {} };
    const hub = new EventHub(prisma as never, bus as never, logger as never, { deliverSliceMs: 0, checkIntervalMs: 60_000 });
    const commit = (count: number) => {
      const added = Array.from({ length: count }, () => event(0)).map((e, i) => ({ ...e, position: BigInt(log.length + 1 + i) }));
      log.push(...added);
      listener?.(added[added.length - 1]!.position, added);
    };
    return { hub, commit };
  }
  const positions = async (queue: AsyncIterator<{ event: Event }>, count: number) => {
    const seen: bigint[] = [];
    const missing = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`missing events after ${seen.join(", ")}`)), 2_000).unref());
    while (seen.length < count) seen.push(((await Promise.race([queue.next(), missing()])).value as { event: Event }).event.position);
    return seen;
  };

  it("hands every subscriber, also one that joins or one that leaves mid-delivery, each event once", async () => {
    const { hub, commit } = fixture();
    const early = await Promise.all(Array.from({ length: 1_000 }, () => hub.follow("org")));
    await new Promise((resolve) => setImmediate(resolve)); // the bus subscription is in place
    const leaving = early[500]!.queue;
    const late: Awaited<ReturnType<typeof hub.follow>>[] = [];
    commit(2);
    // The delivery yields every 64 subscribers (slice 0 ms): one leaves, and one joins at every
    // turn of the loop while it is under way, so some join between the two events' turns.
    for (let turn = 0; turn < 40; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (turn === 3) void leaving.return();
      late.push(await hub.follow("org"));
    }
    commit(1);
    for (const { queue } of early.filter((f) => f.queue !== leaving)) expect(await positions(queue, 3)).toEqual([1n, 2n, 3n]);
    // Each one's replay covers the log up to its `position`; the hub brings what follows, once.
    for (const { queue, position } of late) {
      const replayed = Array.from({ length: Number(position) }, (_, i) => BigInt(i + 1));
      expect([...replayed, ...(await positions(queue, 3 - Number(position)))]).toEqual([1n, 2n, 3n]);
    }
    expect(new Set(late.map((f) => f.position)).size).toBeGreaterThan(1); // some joined mid-delivery, some after
    hub.close();
  });
});
