// graphql-ws on /graphql and /graphql/public, run through each endpoint's Yoga envelop so
// WebSocket operations get the same plugins (masking, limits, shared fan-out) as HTTP.
// Auth comes from connectionParams.authorization: checked at connection (a bad token closes
// with 4401) and again for every operation, so a revoked token or ended session is refused at
// once; the Authority closes the socket (4401/4403) when authority is taken away or the session
// expires, on every instance. Connections on both paths are throttled per IP before the upgrade.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";
import { contextFor, publicContext, viewerOf, type AppServices, type Context, type Transport } from "../context.ts";
import { isAppError } from "../graphql/errors.ts";
import type { Watched } from "../modules/auth/authority.ts";
import type { Viewer } from "../modules/auth/viewer.ts";
import { refuseSocket } from "./http-guards.ts";
import { clientIp, type Limiter } from "./ratelimit.ts";

/** Close codes clients (graphql-ws' own and ours) treat as "reconnect". */
export const SERVER_RESTART = 1012;
const TRY_AGAIN_LATER = 1013;

/** Bytes a socket may have waiting before its subscriptions wait for it to drain. */
const BACKED_UP = 256 * 1024;
const FRAME_TAIL = Buffer.from("}");
/** ws sends a Buffer as a binary frame unless told; graphql-transport-ws is text. */
const TEXT = { binary: false };

/**
 * What a subscription may ask of its socket. `sendNext` sends a `next` message from a payload
 * serialised once for every subscriber: the bytes of `{"id":<id>,"type":"next","payload":`
 * (built once per subscription), the shared payload and `}` — exactly what graphql-ws would have
 * stringified. Nothing is sent on a closing socket. A class: nothing per subscription but fields.
 */
class SocketTransport implements Transport {
  /** `{"id":<id>,"type":"next","payload":` */
  private readonly head: Buffer;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    readonly watched: Watched | undefined,
  ) {
    this.head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  dropSlowSubscriber(): void {
    this.socket.close(TRY_AGAIN_LATER, "Too slow: reconnect and resume");
  }

  sendNext(payload: Buffer): Promise<void> | undefined {
    const { socket, head } = this;
    if (socket.readyState !== socket.OPEN) return undefined;
    const frame = Buffer.concat([head, payload, FRAME_TAIL], head.length + payload.length + FRAME_TAIL.length);
    if (socket.bufferedAmount < BACKED_UP) {
      socket.send(frame, TEXT);
      return undefined;
    }
    // Backed up: the subscription waits until this frame is written (its queue fills meanwhile).
    return new Promise((resolve) => socket.send(frame, TEXT, () => resolve()));
  }
}

interface Endpoint {
  path: string;
  yoga: YogaServerInstance<object, Context>;
  /** Public: anonymous whatever is sent. */
  isPublic: boolean;
  /** Largest message accepted (bytes); a bigger one closes the socket with 1009. */
  maxPayload?: number;
}

interface Options {
  services: AppServices;
  limiter: Limiter;
  trustProxy: boolean;
  /**
   * Asked first for every upgrade (lib/http-guards.ts: connection cap, load shedding); false when
   * it refused (or ignores) the socket itself.
   */
  admit?: (req: IncomingMessage, socket: Duplex) => boolean;
  /** ms between keep-alive pings; a socket that misses a pong is terminated. */
  keepAliveMs?: number;
}

interface RoundTripExecutor {
  execute: (this: void, args: ExecutionArgs) => unknown;
  subscribe: (this: void, args: ExecutionArgs) => unknown;
}

/** The parts of Yoga's getEnveloped() result used here (its own typing is loose). */
interface Enveloped extends RoundTripExecutor {
  schema: GraphQLSchema;
  parse: (this: void, source: string) => DocumentNode;
  validate: (this: void, schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  contextFactory: (this: void) => unknown;
}

export function attachWebSockets(server: Server, endpoints: Endpoint[], options: Options): { close(): Promise<void> } {
  const { services } = options;
  /** What each signed-in socket connected with: re-checked on every operation. */
  const connections = new WeakMap<WebSocket, { authorization: string | null; viewer: Viewer; watched: Watched }>();
  const unauthorized = (socket: WebSocket, reason: string) => socket.close(CloseCode.Unauthorized, reason);
  const servers = endpoints.map((endpoint) => {
    const wss = new WebSocketServer({ noServer: true, maxPayload: endpoint.maxPayload ?? 64 * 1024 });
    const disposable = useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
      {
        execute: (args) => (args.rootValue as RoundTripExecutor).execute(args) as never,
        subscribe: (args) => (args.rootValue as RoundTripExecutor).subscribe(args) as never,
        onConnect: async (ctx) => {
          if (endpoint.isPublic) return true;
          const param = ctx.connectionParams?.authorization;
          const authorization = typeof param === "string" ? param : null;
          const socket = ctx.extra.socket;
          try {
            const viewer = await viewerOf(services, authorization);
            const watched = services.authority.watch(viewer, (code, reason) => socket.close(code, reason));
            socket.once("close", () => watched.release());
            connections.set(socket, { authorization, viewer, watched });
            return true;
          } catch (error) {
            if (!isAppError(error)) services.log.error({ err: error }, "websocket auth failed");
            unauthorized(socket, "Unauthorized: sign in again");
            return false;
          }
        },
        onSubscribe: async (ctx, id, payload) => {
          const socket = ctx.extra.socket;
          const connection = connections.get(socket);
          const transport = new SocketTransport(socket, id, connection?.watched);
          let operationContext: Context;
          if (endpoint.isPublic) operationContext = publicContext(services, transport);
          else {
            // The token may have been revoked since the socket opened: ask again, every time.
            let viewer: Viewer;
            try {
              viewer = await viewerOf(services, connection?.authorization);
            } catch (error) {
              if (!isAppError(error)) {
                services.log.error({ err: error }, "websocket auth failed");
                return [new GraphQLError("Internal server error.", { extensions: { code: "INTERNAL" } })];
              }
              // After the error reaches the client (it is sent when this returns), close.
              setImmediate(() => unauthorized(socket, "Unauthorized: sign in again"));
              return [error];
            }
            operationContext = contextFor(services, viewer, transport, clientIp(ctx.extra.request, options.trustProxy));
          }
          const enveloped = endpoint.yoga.getEnveloped({ ...operationContext, operationContext, req: ctx.extra.request, socket, params: payload }) as Enveloped;
          const document = enveloped.parse(payload.query);
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            operationName: payload.operationName ?? null,
            document,
            variableValues: payload.variables ?? null,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
          const errors = enveloped.validate(args.schema, args.document);
          return errors.length ? errors : args;
        },
      },
      wss,
      options.keepAliveMs,
    );
    return { endpoint, wss, disposable };
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.admit && !options.admit(req, socket)) return;
    const path = (req.url ?? "/").split("?")[0];
    const target = servers.find((s) => s.endpoint.path === path);
    if (!target) return refuse(socket, 404, "Not Found");
    const ip = clientIp(req, options.trustProxy);
    const accept = () =>
      target.wss.handleUpgrade(req, socket, head, (ws) => {
        // Each operation started on a socket is work too: it takes from the same budget, and a
        // socket past it is closed with "try again later" (clients reconnect with backoff).
        ws.on("message", (data: Buffer) => {
          if (!data.includes('"subscribe"')) return;
          void options.limiter.take(ip).then((retryAfter) => retryAfter !== null && ws.close(TRY_AGAIN_LATER, "Too many operations: retry later"));
        });
        target.wss.emit("connection", ws, req);
      });
    // Every connection attempt, on either path, takes from the per-IP public budget: whether a
    // /graphql socket is signed in is known only after the handshake (connectionParams).
    options.limiter
      .take(ip)
      .then((retryAfter) => (retryAfter === null ? accept() : refuse(socket, 429, "Too Many Requests", { "Retry-After": String(retryAfter) })))
      .catch(() => accept());
  };
  server.on("upgrade", onUpgrade);

  return {
    /** Closes every socket with 1012 (clients reconnect, elsewhere or once this one is back). */
    async close() {
      server.off("upgrade", onUpgrade);
      for (const { wss, disposable } of servers) {
        for (const client of wss.clients) client.close(SERVER_RESTART, "Server restarting");
        await disposable.dispose();
      }
    },
  };
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  // A JSON error with the security headers, like every other answer (lib/http-guards.ts).
  if (status === 429) refuseSocket(socket, status, text, `Too many connections: retry in ${headers["Retry-After"] ?? 1} s.`, "RATE_LIMITED", headers);
  else refuseSocket(socket, status, text, "No WebSocket endpoint here.", "NOT_FOUND", headers);
}
