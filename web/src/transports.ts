// The two ways a LiveSubscription reaches the server: graphql-ws over WebSocket, and GraphQL
// over Server-Sent Events (graphql-sse) for networks that block WebSocket. Neither retries on
// its own: LiveSubscription decides when and how to come back, and with which cursor.
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import type { Transport, TransportSink } from "./live.ts";

/** ws(s)://<this host><path>, so the app works behind any proxy that passes WebSocket. */
export function socketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}${path}`;
}

/** Results to the sink; an UNAUTHENTICATED result ends the stream for good (sign in again). */
function resultSink(sink: TransportSink, everOpened: () => boolean) {
  return {
    next: (result: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }) => {
      if (result.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED")) sink.closed({ unauthorized: true, everOpened: everOpened() });
      else if (result.data) sink.event(result.data);
    },
    error: () => sink.closed({ everOpened: everOpened() }),
    complete: () => sink.closed({ everOpened: everOpened() }),
  };
}

export function webSocketTransport(path: string): Transport {
  return (request, sink) => {
    let everOpened = false;
    const client = createWsClient({
      url: socketUrl(path),
      lazy: false,
      retryAttempts: 0,
      keepAlive: 10_000,
      connectionParams: request.authorization ? { authorization: request.authorization } : {},
      on: {
        connected: () => {
          everOpened = true;
          sink.opened();
        },
        closed: (event) => {
          const code = (event as CloseEvent | undefined)?.code;
          sink.closed({ unauthorized: code === 4401 || code === 4403, everOpened });
        },
      },
      onNonLazyError: () => {},
    });
    client.subscribe(
      { query: request.query, variables: request.variables },
      resultSink(sink, () => everOpened),
    );
    // dispose() awaits the pending connection and rejects with its CloseEvent when that failed:
    // expected here, and it must not surface as an unhandled rejection in the page.
    return { close: () => void Promise.resolve(client.dispose()).catch(() => {}) };
  };
}

export function sseTransport(path: string): Transport {
  return (request, sink) => {
    let everOpened = false;
    const client = createSseClient({
      url: path,
      retryAttempts: 0,
      headers: request.authorization ? { authorization: request.authorization } : {},
    });
    const stop = client.subscribe(
      { query: request.query, variables: request.variables },
      resultSink(sink, () => everOpened),
      {
        connected: () => {
          everOpened = true;
          sink.opened();
        },
      },
    );
    return {
      close: () => {
        stop();
        client.dispose();
      },
    };
  };
}
