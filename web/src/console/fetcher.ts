// How the console talks to the server: queries and mutations over HTTP POST, subscriptions over
// graphql-ws on the same path (never a POST: Yoga answers a subscription asked for
// application/json with 406). Who it runs as, first match wins: an `authorization` typed in
// GraphiQL's Headers tab, the API token pasted above the console, the signed-in session.
//
// Which operation runs, and whether it is a subscription, is read here from the text being
// sent: GraphiQL's own idea of it (documentAST, operationName) is updated 100 ms after the last
// edit or tab switch, so a quick Ctrl-Enter would send a subscription as a POST or name an
// operation the text no longer has ("Could not determine what operation to execute").
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts, type FetcherParams } from "@graphiql/toolkit";
import { getOperationAST, OperationTypeNode, parse, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
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
 * The operation `params` will run: the one named, else the only one in the text. Null when the
 * text does not parse or names none unambiguously (the server then says why).
 */
export function operationToRun(params: FetcherParams): OperationDefinitionNode | null {
  try {
    const document = parse(params.query);
    return (params.operationName ? getOperationAST(document, params.operationName) : null) ?? getOperationAST(document) ?? null;
  } catch {
    return null;
  }
}

/** The operationName to send: the running operation's own (null for an anonymous one). */
export function operationNameToSend(params: FetcherParams, operation: OperationDefinitionNode | null): string | null {
  return operation ? (operation.name?.value ?? null) : (params.operationName ?? null);
}

/**
 * graphql-ws's iterator, shown the way GraphiQL shows a query's answer: errors the server sends
 * for the subscription (an `error` message: validation, FORBIDDEN…) become one last result with
 * those errors, and a closed socket an error a person can read.
 */
function readableIterator(source: AsyncIterableIterator<FormattedExecutionResult>): AsyncIterableIterator<FormattedExecutionResult> {
  let ended = false;
  const iterator: AsyncIterableIterator<FormattedExecutionResult> = {
    next: async () => {
      if (ended) return { done: true, value: undefined };
      try {
        return await source.next();
      } catch (error) {
        if (Array.isArray(error)) {
          ended = true;
          return { done: false, value: { errors: error as FormattedExecutionResult["errors"] } };
        }
        if (typeof CloseEvent !== "undefined" && error instanceof CloseEvent) {
          throw new Error(`The server closed the subscription's connection (${error.code}${error.reason ? `: ${error.reason}` : ""}).`, { cause: error });
        }
        throw error;
      }
    },
    // Stop: ends the subscription at once (graphql-ws sends `complete`).
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * `authorization()` is read on every operation, so a new session or a pasted token applies to the
 * next run. One graphql-ws client per authorization: the server decides who a socket is at its
 * handshake (connectionParams), so a different identity needs its own socket.
 */
export function createConsoleFetcher(endpoint: string, authorization: () => string | null): ConsoleFetcher {
  const clients = new Map<string, { http: Fetcher; socket: Client }>();
  const forAuthorization = (auth: string | null) => {
    const key = auth ?? "";
    let entry = clients.get(key);
    if (!entry) {
      const socket = createClient({
        url: socketUrl(endpoint),
        lazy: true, // opened by the first subscription, closed after the last one stops
        retryAttempts: 0, // a console shows the failure; it does not retry behind the user's back
        connectionParams: auth ? { authorization: auth } : {},
      });
      entry = { socket, http: createGraphiQLFetcher({ url: endpoint, headers: auth ? { authorization: auth } : {} }) };
      clients.set(key, entry);
    }
    return entry;
  };
  return {
    fetcher: (params, opts) => {
      const typed = takeAuthorization(opts?.headers);
      const { http, socket } = forAuthorization(typed.authorization ?? authorization());
      const operation = operationToRun(params);
      const request = { ...params, operationName: operationNameToSend(params, operation) };
      if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
        const { query, operationName } = request;
        const variables = (request.variables ?? {}) as Record<string, unknown>;
        // What arrives is the wire format (formatted errors); GraphiQL's type names graphql's
        // ExecutionResult, whose errors are class instances it never uses as such.
        return readableIterator(socket.iterate({ query, variables, operationName })) as unknown as AsyncIterableIterator<ExecutionResult>;
      }
      // documentAST left out: the toolkit would take a stale one for a subscription's.
      return http(request, { headers: typed.rest });
    },
    dispose: () => {
      for (const { socket } of clients.values()) void Promise.resolve(socket.dispose()).catch(() => {});
      clients.clear();
    },
  };
}
