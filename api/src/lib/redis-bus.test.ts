// The Redis bus with a real Redis (TEST_REDIS_URL): leaving a channel after the connection is
// gone must not leave a rejected promise behind (vitest fails the run on an unhandled rejection,
// and so would Node in production).
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createRedisEventBus } from "./redis-bus.ts";

const url = process.env.TEST_REDIS_URL;

describe.skipIf(!url)("Redis event bus", () => {
  it("leaves a channel quietly when Redis is already closed", async () => {
    const bus = createRedisEventBus(url!, pino({ level: "silent" }));
    const heard: bigint[] = [];
    const stop = await bus.subscribe(`redis-bus-test-${Date.now()}`, (position) => heard.push(position));
    await bus.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(heard).toEqual([]);
  });
});

describe("announcement encoding", () => {
  it("round-trips the carried events (BigInt position, Date occurredAt) and falls back to position only", async () => {
    const { encodeAnnouncement, decodeEvents, MAX_CARRIED_EVENTS } = await import("./redis-bus.ts");
    const event = {
      organizationId: "org",
      position: 12345678901234567890n,
      kind: "SERVICE_STATUS_CHANGED" as const,
      occurredAt: new Date("2026-12-02T19:00:00.123Z"),
      serviceId: "svc",
      incidentId: null,
      maintenanceId: null,
      serviceStatus: "MAJOR_OUTAGE" as const,
    };
    const wire = JSON.parse(JSON.stringify(encodeAnnouncement(event.position, [event]))) as Parameters<typeof decodeEvents>[0];
    expect(wire.position).toBe("12345678901234567890");
    expect(decodeEvents(wire)).toEqual([event]);
    const many = Array.from({ length: MAX_CARRIED_EVENTS + 1 }, () => event);
    expect(decodeEvents(encodeAnnouncement(event.position, many))).toBeNull();
    expect(decodeEvents({ position: "1", events: [{ nonsense: true }] as never })).toBeNull();
  });
});
