// React binding of LiveSubscription: subscribes while mounted and exposes the connection
// status and "retry now" for the indicator.
import { useEffect, useRef, useState } from "react";
import { LiveSubscription, type LiveStatus, type StreamEvent } from "./live.ts";
import { sseTransport, webSocketTransport } from "./transports.ts";

export interface UseLive {
  status: LiveStatus;
  retryNow(): void;
}

export function useLive(options: {
  path: "/graphql" | "/graphql/public";
  query: string;
  variables: Record<string, unknown>;
  /** Name of the subscription field, e.g. "statusPageEvents". */
  field: string;
  enabled?: boolean;
  /** Start after this cursor (the page shown is as of it): nothing after it is missed. Read once, at start. */
  after?: string | null;
  authorization?: () => string | null;
  onEvent(event: StreamEvent): void;
  onOpen?(resumed: boolean): void;
  onUnauthorized?(): void;
}): UseLive {
  const [status, setStatus] = useState<LiveStatus>({ state: "connecting", transport: "websocket", attempt: 0, retryAt: null });
  const callbacks = useRef(options);
  callbacks.current = options;
  const live = useRef<LiveSubscription | null>(null);
  const key = JSON.stringify([options.path, options.query, options.variables, options.enabled ?? true]);

  useEffect(() => {
    if (options.enabled === false) return;
    const { path, query, variables, field, after } = callbacks.current;
    const subscription = new LiveSubscription({
      query,
      variables: (after) => ({ ...variables, after }),
      select: (data) => ((data as Record<string, StreamEvent | undefined>)[field] ?? null),
      onEvent: (event) => callbacks.current.onEvent(event),
      onOpen: (resumed) => callbacks.current.onOpen?.(resumed),
      onUnauthorized: () => callbacks.current.onUnauthorized?.(),
      onStatus: setStatus,
      authorization: () => callbacks.current.authorization?.() ?? null,
      transports: { websocket: webSocketTransport(path), sse: sseTransport(path) },
      isOnline: () => navigator.onLine,
      after: after ?? null,
    });
    live.current = subscription;
    subscription.start();
    const online = () => subscription.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      subscription.stop();
      live.current = null;
    };
  }, [key]);

  return { status, retryNow: () => live.current?.retryNow() };
}
