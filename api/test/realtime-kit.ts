// Subscription clients for the realtime tests: graphql-ws over WebSocket and graphql-sse over
// Server-Sent Events, each collecting what it receives so tests can wait for it.
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface Received {
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

export interface Subscription {
  received: Received[];
  /** Resolves once `count` results arrived (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Resolves when the server completed or errored the subscription. */
  ended: Promise<void>;
  close(): void;
}

function collector(): { sub: Omit<Subscription, "close">; push(r: Received): void; end(): void } {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    push(result) {
      received.push(result);
      waiters.splice(0).forEach((wake) => wake());
    },
    end: () => {
      end();
      waiters.splice(0).forEach((wake) => wake());
    },
    sub: {
      received,
      ended,
      async waitFor(count, timeoutMs = 5_000) {
        const deadline = Date.now() + timeoutMs;
        while (received.length < count) {
          if (Date.now() > deadline) throw new Error(`expected ${count} results, got ${received.length}: ${JSON.stringify(received)}`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 100);
          });
        }
        return received.slice(0, count);
      },
    },
  };
}

export interface WsConnection {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): Subscription;
  dispose(): Promise<void>;
}

/** A graphql-ws connection (no retries: tests want to see every close). */
export function connectWs(baseUrl: string, path: string, token?: string): WsConnection {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createWsClient({
    url: baseUrl.replace(/^http/, "ws") + path,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { closed: (event) => onClosed(event as { code: number; reason: string }) },
    onNonLazyError: () => {},
  });
  return {
    client,
    closed,
    subscribe(query, variables = {}) {
      const c = collector();
      const stop = client.subscribe(
        { query, variables },
        {
          next: (value) => c.push(value as Received),
          error: (error) => {
            c.push({ errors: Array.isArray(error) ? (error as Received["errors"]) : [{ message: String((error as { reason?: string }).reason ?? error) }] });
            c.end();
          },
          complete: () => c.end(),
        },
      );
      return { ...c.sub, close: stop };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** One subscription over Server-Sent Events (graphql-sse, distinct connections mode). */
export function subscribeSse(baseUrl: string, path: string, query: string, variables: Record<string, unknown> = {}, token?: string): Subscription {
  const client = createSseClient({
    url: baseUrl + path,
    retryAttempts: 0,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const c = collector();
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => c.push(value as Received),
      error: (error) => {
        c.push({ errors: [{ message: String(error) }] });
        c.end();
      },
      complete: () => c.end(),
    },
  );
  return {
    ...c.sub,
    close: () => {
      stop();
      client.dispose();
    },
  };
}

export const EVENT_FIELDS = `cursor kind serviceStatus service { id name status } incident { id title status }`;
export const ORG_EVENTS = `subscription($organizationId: ID!, $after: String) { organizationEvents(organizationId: $organizationId, after: $after) { ${EVENT_FIELDS} } }`;
export const PAGE_EVENTS = `subscription($slug: String!, $after: String) { statusPageEvents(slug: $slug, after: $after) { ${EVENT_FIELDS} } }`;

interface ReceivedEvent {
  cursor: string;
  kind: string;
  serviceStatus: string | null;
  service: { id: string; status: string } | null;
}

export function eventOf(result: Received): ReceivedEvent {
  const data = result.data as Record<string, ReceivedEvent> | undefined;
  const event = data && Object.values(data)[0];
  if (!event) throw new Error(`not an event: ${JSON.stringify(result)}`);
  return event;
}
