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
