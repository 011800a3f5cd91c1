// A live subscription that survives anything: it reconnects forever with exponential backoff
// (1 s doubling to 30 s, with jitter), resumes with `after: <last cursor>` so nothing is
// missed, falls back from WebSocket to Server-Sent Events when WebSocket cannot connect, and
// reports its state for the indicator (live / reconnecting / offline). Transports are
// injected so the state machine is unit-tested without a network (live.test.ts).

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";
export type TransportKind = "websocket" | "sse";

export interface LiveStatus {
  state: LiveState;
  transport: TransportKind;
  /** Failed attempts since the last time it was live. */
  attempt: number;
  /** When the next attempt starts (reconnecting only). */
  retryAt: number | null;
}

export interface StreamEvent {
  cursor: string;
}

export interface TransportSink {
  opened(): void;
  event(data: unknown): void;
  /** The stream ended or failed; `unauthorized` means do not retry (sign in again). */
  closed(reason: { unauthorized?: boolean; everOpened: boolean }): void;
}

export interface TransportRequest {
  query: string;
  variables: Record<string, unknown>;
  authorization: string | null;
}

export type Transport = (request: TransportRequest, sink: TransportSink) => { close(): void };

export interface LiveOptions {
  query: string;
  /** Variables for a (re)subscription resuming after `after` (null: live only). */
  variables(after: string | null): Record<string, unknown>;
  /** Picks the event out of a result, e.g. data.statusPageEvents. */
  select(data: unknown): StreamEvent | null;
  onEvent(event: StreamEvent): void;
  onStatus?(status: LiveStatus): void;
  /**
   * The stream is open. Subscribing and loading the page race, and a reconnect may follow a
   * long gap, so callers reload their view here; events then keep it current.
   */
  onOpen?(resumed: boolean): void;
  onUnauthorized?(): void;
  authorization?: () => string | null;
  transports: Record<TransportKind, Transport>;
  /** Start after this cursor (e.g. the page was loaded at this position). */
  after?: string | null;
  random?: () => number;
  schedule?: (fn: () => void, ms: number) => { cancel(): void };
  isOnline?: () => boolean;
}

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;

/** 1 s, 2 s, 4 s … capped at 30 s, each ±20 % so that clients do not return in step. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(Math.min(MAX_RETRY_MS, base * (0.8 + 0.4 * random())));
}

/** WebSocket first; after two attempts that never opened, Server-Sent Events; then alternate. */
export function transportFor(failuresWithoutOpening: number): TransportKind {
  if (failuresWithoutOpening < 2) return "websocket";
  return failuresWithoutOpening % 2 === 0 ? "sse" : "websocket";
}

export class LiveSubscription {
  private cursor: string | null;
  private attempt = 0;
  private failuresWithoutOpening = 0;
  private current: { close(): void } | null = null;
  private timer: { cancel(): void } | null = null;
  private stopped = false;
  private wasLive = false;
  private status: LiveStatus = { state: "connecting", transport: "websocket", attempt: 0, retryAt: null };

  constructor(private readonly options: LiveOptions) {
    this.cursor = options.after ?? null;
  }

  get lastCursor(): string | null {
    return this.cursor;
  }

  start(): void {
    this.connect();
  }

  /** Skip the wait and try at once (the "retry now" button, or the browser came online). */
  retryNow(): void {
    if (this.stopped || this.status.state === "live") return;
    this.timer?.cancel();
    this.timer = null;
    this.current?.close();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.current?.close();
    this.current = null;
  }

  private connect(): void {
    const transport = transportFor(this.failuresWithoutOpening);
    this.setStatus({ state: this.wasLive || this.attempt > 0 ? "reconnecting" : "connecting", transport, attempt: this.attempt, retryAt: null });
    let open = false;
    let done = false;
    const request: TransportRequest = {
      query: this.options.query,
      variables: this.options.variables(this.cursor),
      authorization: this.options.authorization?.() ?? null,
    };
    const handle = this.options.transports[transport](request, {
      opened: () => {
        if (done || this.stopped) return;
        open = true;
        const resumed = this.wasLive || this.attempt > 0;
        this.attempt = 0;
        this.failuresWithoutOpening = 0;
        this.wasLive = true;
        this.setStatus({ state: "live", transport, attempt: 0, retryAt: null });
        this.options.onOpen?.(resumed);
      },
      event: (data) => {
        if (done || this.stopped) return;
        const event = this.options.select(data);
        if (!event) return;
        if (this.cursor !== null && event.cursor <= this.cursor) return; // already seen
        this.cursor = event.cursor;
        this.options.onEvent(event);
      },
      closed: ({ unauthorized, everOpened }) => {
        if (done || this.stopped) return;
        done = true;
        this.current = null;
        if (unauthorized) {
          this.stopped = true;
          this.options.onUnauthorized?.();
          return;
        }
        if (!open && !everOpened) this.failuresWithoutOpening++;
        this.scheduleRetry();
      },
    });
    this.current = handle;
  }

  private scheduleRetry(): void {
    const online = this.options.isOnline?.() ?? true;
    const delay = retryDelay(this.attempt, this.options.random);
    this.attempt++;
    this.setStatus({ state: online ? "reconnecting" : "offline", transport: transportFor(this.failuresWithoutOpening), attempt: this.attempt, retryAt: Date.now() + delay });
    const schedule = this.options.schedule ?? ((fn, ms) => {
      const id = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(id) };
    });
    this.timer = schedule(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    this.options.onStatus?.(status);
  }
}
