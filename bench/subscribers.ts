// Many graphql-ws subscribers in the load process, opened by the same client code whether the
// server is the product or the raw `ws` baseline, so both sides pay the same client cost.
// A minimal client of the graphql-transport-ws protocol (the one graphql-ws speaks) on `ws`:
// the graphql-ws library's client parses and validates every message, ~20 µs each, and at
// S4's 20 events/s × 5,000 sockets (100,000 messages/s) the load core, not the server, would
// set the pace. Here a `next` message is handed over as the bytes received (not even decoded:
// at that rate the UTF-8 decoding alone shows); a scenario reads what it needs.
import WebSocket from "ws";

export interface SubscribeRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/** Called for every `next` message: which subscriber, the message's bytes, when (performance.now()). */
export type OnData = (index: number, message: Buffer, at: number) => void;

/** The `data` of a `next` message's result. */
export const dataOf = (message: Buffer): unknown => (JSON.parse(message.toString()) as { payload?: { data?: unknown } }).payload?.data ?? null;

const NEXT = Buffer.from('"type":"next"');

export class Subscribers {
  private readonly sockets: WebSocket[] = [];
  /** Replaceable, so one set of sockets can serve several measurements. */
  onData: OnData = () => {};
  /** Sockets that closed after opening: a scenario reports them instead of waiting forever. */
  closedEarly = 0;
  errors = 0;
  /** Handshakes that failed and were tried again. */
  retries = 0;

  constructor(private readonly url: string) {}

  get count(): number {
    return this.sockets.length;
  }

  /**
   * Opens `count` more subscribers, at most `concurrency` handshakes at a time: a burst of
   * thousands of SYNs at once overflows the listen backlog and measures retransmits instead.
   * Resolves once each has its connection_ack and has sent its subscribe.
   */
  async add(count: number, request: (index: number) => SubscribeRequest, concurrency = 200): Promise<void> {
    let next = this.sockets.length;
    const end = next + count;
    const openOne = (index: number) =>
      new Promise<void>((resolve, reject) => {
        // The server's text is valid UTF-8 (both sides: the product and the raw baseline).
        const socket = new WebSocket(this.url, "graphql-transport-ws", { skipUTF8Validation: true, perMessageDeflate: false });
        this.sockets[index] = socket;
        let opened = false;
        socket.on("open", () => socket.send('{"type":"connection_init","payload":{}}'));
        socket.on("message", (data: Buffer) => {
          if (data.includes(NEXT)) return this.onData(index, data, performance.now());
          const message = JSON.parse(data.toString()) as { type?: string };
          if (message.type === "connection_ack") {
            opened = true;
            socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: request(index) }));
            resolve();
          } else if (message.type === "ping") socket.send('{"type":"pong"}');
          else if (message.type === "error" || message.type === "complete") this.errors++;
        });
        socket.on("error", (error) => {
          if (!opened) reject(new Error(`subscriber ${index} could not connect: ${error.message}`));
        });
        socket.on("close", (code) => {
          if (opened) this.closedEarly++;
          else reject(new Error(`subscriber ${index} closed before its connection_ack (${code})`));
        });
      });
    // A server still working off a backlog (after S4) may reset a handshake: retry a few times,
    // counted, rather than lose the scenario.
    const openWithRetries = async (index: number) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await openOne(index);
        } catch (error) {
          if (attempt >= 5) throw error;
          this.retries++;
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    };
    const worker = async () => {
      while (next < end) await openWithRetries(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  async close(): Promise<void> {
    this.onData = () => {};
    const closed = this.sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once("close", () => resolve());
          socket.terminate();
        }),
    );
    this.closedEarly = 0;
    await Promise.all(closed);
    this.sockets.length = 0;
  }
}

/**
 * Resolves when `expected` subscribers have each seen one result since `arm()` (the first per
 * subscriber counts): the delivery times of one change, relative to `t0`.
 */
export function deliveries(subscribers: Subscribers, expected: number, timeoutMs: number) {
  const at = new Float64Array(subscribers.count).fill(NaN);
  let seen = 0;
  let payload: string | null = null;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  subscribers.onData = (index, message, time) => {
    if (!Number.isNaN(at[index]!)) return;
    at[index] = time;
    payload ??= JSON.stringify((JSON.parse(message.toString()) as { payload: unknown }).payload);
    if (++seen >= expected) done();
  };
  return {
    /** The first result's payload, as the server sent it: the raw baseline broadcasts these bytes. */
    payload: () => payload,
    async wait(t0: number): Promise<{ firstMs: number; medianMs: number; lastMs: number; missing: number }> {
      await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      const times = [...at].filter((t) => !Number.isNaN(t)).map((t) => t - t0).sort((a, b) => a - b);
      return {
        firstMs: times[0] ?? NaN,
        medianMs: times[Math.floor(times.length / 2)] ?? NaN,
        lastMs: times.length >= expected ? times[expected - 1]! : NaN,
        missing: Math.max(0, expected - times.length),
      };
    },
  };
}
