// How the console talks to the server: queries and mutations over HTTP POST, subscriptions over
// graphql-ws on the same path (never a POST: Yoga answers a subscription asked for
// application/json with 406). Who it runs as, first match wins: an `authorization` typed in
// GraphiQL's Headers tab, the API token pasted above the console, the signed-in session.
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from "@graphiql/toolkit";
import { createClient, type Client } from "graphql-ws";
import { socketUrl } from "../transports.ts";

export interface ConsoleFetcher {
  fetcher: Fetcher;
  /** Closes every WebSocket the console opened. */
  dispose(): void;
}

/** Splits a header object into its authorization (any case) and the rest. */
export function takeAuthorization(headers: FetcherOpts["headers"]): { authorization: string | null; rest: Record<string, unknown> } {
  let authorization: string | null = null;
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === "authorization") authorization = typeof value === "string" && value.trim() ? value.trim() : null;
    else rest[name] = value;
  }
  return { authorization, rest };
}

/**
 * `authorization()` is read on every operation, so a new session or a pasted token applies to the
 * next run. One graphql-ws client per authorization: the server decides who a socket is at its
 * handshake (connectionParams), so a different identity needs its own socket.
 */
export function createConsoleFetcher(endpoint: string, authorization: () => string | null): ConsoleFetcher {
  const clients = new Map<string, { fetcher: Fetcher; socket: Client }>();
  const forAuthorization = (auth: string | null): Fetcher => {
    const key = auth ?? "";
    let entry = clients.get(key);
    if (!entry) {
      const socket = createClient({
        url: socketUrl(endpoint),
        lazy: true, // opened by the first subscription, closed after the last one stops
        retryAttempts: 0, // a console shows the failure; it does not retry behind the user's back
        connectionParams: auth ? { authorization: auth } : {},
      });
      entry = { socket, fetcher: createGraphiQLFetcher({ url: endpoint, wsClient: socket, headers: auth ? { authorization: auth } : {} }) };
      clients.set(key, entry);
    }
    return entry.fetcher;
  };
  return {
    fetcher: (params, opts) => {
      const typed = takeAuthorization(opts?.headers);
      return forAuthorization(typed.authorization ?? authorization())(params, { ...opts, headers: typed.rest });
    },
    dispose: () => {
      for (const { socket } of clients.values()) void Promise.resolve(socket.dispose()).catch(() => {});
      clients.clear();
    },
  };
}
