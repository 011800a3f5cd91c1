import { describe, expect, it } from "vitest";
import { LiveSubscription, retryDelay, transportFor, type LiveStatus, type TransportSink } from "./live.ts";

describe("retryDelay", () => {
  it("starts at about a second, doubles, and stays under 30 s with jitter", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => retryDelay(n, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(retryDelay(0, () => 0)).toBe(800);
    expect(retryDelay(0, () => 1)).toBe(1200);
    expect(retryDelay(20, () => 1)).toBe(30000);
  });
});

describe("transportFor", () => {
  it("tries WebSocket twice, then Server-Sent Events, then alternates", () => {
    expect([0, 1, 2, 3, 4].map(transportFor)).toEqual(["websocket", "websocket", "sse", "websocket", "sse"]);
  });
});

/** A scripted transport: each attempt is recorded with its sink so a test can drive it. */
function harness(after: string | null = null) {
  const attempts: { kind: string; variables: Record<string, unknown>; sink: TransportSink; closed: boolean }[] = [];
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const statuses: LiveStatus[] = [];
  const events: string[] = [];
  let resumed = 0;
  let unauthorized = 0;
  const transport = (kind: string) => (request: { variables: Record<string, unknown> }, sink: TransportSink) => {
    const attempt = { kind, variables: request.variables, sink, closed: false };
    attempts.push(attempt);
    return { close: () => void (attempt.closed = true) };
  };
  const live = new LiveSubscription({
    query: "subscription",
    after,
    variables: (cursor) => ({ after: cursor }),
    select: (data) => data as { cursor: string },
    onEvent: (event) => events.push(event.cursor),
    onStatus: (status) => statuses.push(status),
    onOpen: (again) => void (again && resumed++),
    onUnauthorized: () => unauthorized++,
    transports: { websocket: transport("websocket"), sse: transport("sse") },
    random: () => 0.5,
    schedule: (fn, ms) => {
      const timer = { fn, ms, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
  });
  return { live, attempts, timers, statuses, events, counts: () => ({ resumed, unauthorized }) };
}

describe("LiveSubscription", () => {
  it("resumes after the last cursor it saw, drops repeats, and reports live → reconnecting → live", () => {
    const h = harness("0000000000000003");
    h.live.start();
    expect(h.attempts[0]!.variables).toEqual({ after: "0000000000000003" });
    h.attempts[0]!.sink.opened();
    h.attempts[0]!.sink.event({ cursor: "0000000000000004" });
    h.attempts[0]!.sink.event({ cursor: "0000000000000004" });
    h.attempts[0]!.sink.closed({ everOpened: true });
    expect(h.statuses.at(-1)).toMatchObject({ state: "reconnecting", attempt: 1 });
    expect(h.timers[0]!.ms).toBe(1000);
    h.timers[0]!.fn();
    expect(h.attempts[1]!.variables).toEqual({ after: "0000000000000004" });
    h.attempts[1]!.sink.opened();
    expect(h.statuses.at(-1)).toMatchObject({ state: "live", attempt: 0 });
    expect(h.events).toEqual(["0000000000000004"]);
    expect(h.counts().resumed).toBe(1);
  });

  it("backs off exponentially and forever while the server is away", () => {
    const h = harness();
    h.live.start();
    for (let i = 0; i < 12; i++) {
      h.attempts[i]!.sink.closed({ everOpened: false });
      h.timers[i]!.fn();
    }
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000, 30000]);
    expect(h.attempts).toHaveLength(13);
  });

  it("falls back to Server-Sent Events when WebSocket never opens", () => {
    const h = harness();
    h.live.start();
    h.attempts[0]!.sink.closed({ everOpened: false });
    h.timers[0]!.fn();
    h.attempts[1]!.sink.closed({ everOpened: false });
    h.timers[1]!.fn();
    expect(h.attempts.map((a) => a.kind)).toEqual(["websocket", "websocket", "sse"]);
    h.attempts[2]!.sink.opened();
    expect(h.statuses.at(-1)).toMatchObject({ state: "live", transport: "sse" });
  });

  it("retries at once on retryNow, and stops for good when the session is refused", () => {
    const h = harness();
    h.live.start();
    h.attempts[0]!.sink.closed({ everOpened: false });
    h.live.retryNow();
    expect(h.timers[0]!.cancelled).toBe(true);
    expect(h.attempts).toHaveLength(2);
    h.attempts[1]!.sink.closed({ unauthorized: true, everOpened: true });
    expect(h.counts().unauthorized).toBe(1);
    expect(h.timers).toHaveLength(1);
  });
});
