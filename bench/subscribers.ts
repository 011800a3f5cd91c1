// Many graphql-ws subscribers in the load process, opened by the same client code whether the
// server is the product or the raw `ws` baseline, so both sides pay the same client cost.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface SubscribeRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/** Called for every `next` result: which subscriber, the result's data, when (performance.now()). */
export type OnData = (index: number, data: unknown, at: number) => void;

export class Subscribers {
  private readonly clients: Client[] = [];
  /** Replaceable, so one set of sockets can serve several measurements. */
  onData: OnData = () => {};
  /** Sockets that closed after opening: a scenario reports them instead of waiting forever. */
  closedEarly = 0;
  errors = 0;

  constructor(private readonly url: string) {}

  get count(): number {
    return this.clients.length;
  }

  /**
   * Opens `count` more subscribers, at most `concurrency` handshakes at a time: a burst of
   * thousands of SYNs at once overflows the listen backlog and measures retransmits instead.
   */
  async add(count: number, request: (index: number) => SubscribeRequest, concurrency = 200): Promise<void> {
    const first = this.clients.length;
    let next = first;
    const end = first + count;
    const openOne = async (index: number): Promise<void> => {
      let opened = false;
      await new Promise<void>((resolve, reject) => {
        const client = createClient({
          url: this.url,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          onNonLazyError: (error) => reject(error instanceof Error ? error : new Error(`subscriber ${index} could not connect`)),
          on: {
            connected: () => {
              opened = true;
              resolve();
            },
            closed: () => {
              if (opened) this.closedEarly++;
            },
          },
        });
        this.clients[index] = client;
        client.subscribe(request(index), {
          next: (result) => this.onData(index, result.data, performance.now()),
          error: () => {
            this.errors++;
          },
          complete: () => {},
        });
      });
    };
    const worker = async () => {
      while (next < end) await openOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  async close(): Promise<void> {
    this.onData = () => {};
    await Promise.all(this.clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined)));
    this.clients.length = 0;
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
  subscribers.onData = (index, data, time) => {
    if (!Number.isNaN(at[index]!)) return;
    at[index] = time;
    payload ??= JSON.stringify({ data });
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
