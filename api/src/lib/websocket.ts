// graphql-ws on /graphql and /graphql/public, run through each endpoint's Yoga envelop so
// WebSocket operations get the same plugins (masking, limits, shared fan-out) as HTTP.
// Auth comes from connectionParams.authorization: checked at connection (a bad token closes
// with 4401) and again for every operation, so a revoked token or ended session is refused at
// once; the Authority closes the socket (4401/4403) when authority is taken away or the session
// expires, on every instance. Connections on both paths are throttled per IP before the upgrade.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { CloseCode, handleProtocols, makeServer } from "graphql-ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";
import { contextFor, publicContext, viewerOf, type AppServices, type Context, type Transport } from "../context.ts";
import { isAppError } from "../graphql/errors.ts";
import type { Watched } from "../modules/auth/authority.ts";
import type { Viewer } from "../modules/auth/viewer.ts";
import { FrameWriter, SocketFrames, WRITE_SLICE_MS } from "./frame-writer.ts";
import { refuseSocket } from "./http-guards.ts";
import { clientIp, type Limiter } from "./ratelimit.ts";

/** Close codes clients (graphql-ws' own and ours) treat as "reconnect". */
export const SERVER_RESTART = 1012;
const TRY_AGAIN_LATER = 1013;

/**
 * What a subscription may ask of its socket. `sendNext` queues a `next` message from a payload
 * serialised once for every subscriber: the bytes of `{"id":<id>,"type":"next","payload":`
 * (built once per subscription), the shared payload and `}` — exactly what graphql-ws would have
 * stringified — for the frame writer. Nothing is sent on a closing socket. A class: nothing per
 * subscription but fields.
 */
class SocketTransport implements Transport {
  /** `{"id":<id>,"type":"next","payload":` */
  private readonly head: Buffer;
  framed = false;

  constructor(
    private readonly frames: SocketFrames,
    private readonly writer: FrameWriter,
    id: string,
    readonly watched: Watched | undefined,
  ) {
    this.head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  dropSlowSubscriber(): void {
    this.frames.socket.close(TRY_AGAIN_LATER, "Too slow: reconnect and resume");
  }

  sendNext(payload: Buffer): Promise<void> | undefined {
    const { socket } = this.frames;
    if (socket.readyState !== socket.OPEN) return undefined;
    // Backed up: the subscription waits until this frame is written (its queue fills meanwhile).
    return this.writer.queue(this.frames, this.head, payload);
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
  const writer = new FrameWriter();
  const servers = endpoints.map((endpoint) => {
    // No permessage-deflate: the frame writer puts frames on the TCP socket itself (writeFrames).
    const wss = new WebSocketServer({ noServer: true, maxPayload: endpoint.maxPayload ?? 64 * 1024, perMessageDeflate: false });
    const protocol = makeServer<Record<string, unknown> | undefined, Extra>(
      {
        execute: (args) => (args.rootValue as RoundTripExecutor).execute(args) as never,
        subscribe: async (args) => {
          const stream = await (args.rootValue as RoundTripExecutor).subscribe(args);
          // graphql-ws keeps these args for as long as the subscription lives; a framed stream
          // has what it needs (graphql/shared-execution.ts), so let the operation's context go.
          if ((args.contextValue as Context).transport?.framed) {
            args.contextValue = undefined;
            args.rootValue = undefined;
          }
          return stream as never;
        },
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
          const transport = new SocketTransport(ctx.extra.frames, writer, id, connection?.watched);
          let operationContext: Context;
          if (endpoint.isPublic) operationContext = publicContext(services, transport, ctx.extra.ip);
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
            operationContext = contextFor(services, viewer, transport, ctx.extra.ip);
          }
          const enveloped = endpoint.yoga.getEnveloped({ ...operationContext, operationContext, socket, params: payload }) as Enveloped;
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
    );
    const disposable = serveProtocol(wss, protocol, writer, options.keepAliveMs ?? 12_000);
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
        chargeOperations(ws, ip, options.limiter);
        target.disposable.connect(ws, ip, socket);
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
      writer.dispose();
    },
  };
}

/**
 * Each operation started on a socket is work too: it takes from the same budget, and a socket
 * past it is closed with "try again later" (clients reconnect with backoff). A function of its
 * own so the listener holds the address only, not the upgrade's request and head.
 */
function chargeOperations(ws: WebSocket, ip: string, limiter: Limiter): void {
  ws.on("message", (data: Buffer) => {
    if (!data.includes('"subscribe"')) return;
    void limiter.take(ip).then((retryAfter) => retryAfter !== null && ws.close(TRY_AGAIN_LATER, "Too many operations: retry later"));
  });
}

/** What graphql-ws' callbacks get besides the connection's own state. */
interface Extra {
  socket: WebSocket;
  /** The client's address, read at the upgrade (the request itself is not kept). */
  ip: string;
  /** Its frames waiting for the writer, which writes them on the TCP socket under `socket` directly. */
  frames: SocketFrames;
}

/**
 * graphql-ws' protocol (makeServer) on `ws` sockets: what graphql-ws/use/ws does, with less held
 * per idle socket: one keep-alive sweep per endpoint instead of an interval, a timeout and their
 * closures per socket, and the upgrade request not kept. Same behaviour: every `keepAliveMs` each
 * socket is pinged, and one that has not answered the previous ping is terminated.
 */
function serveProtocol(
  wss: WebSocketServer,
  protocol: ReturnType<typeof makeServer<Record<string, unknown> | undefined, Extra>>,
  writer: FrameWriter,
  keepAliveMs: number,
): { connect(socket: WebSocket, ip: string, stream: Duplex): void; dispose(): Promise<void> } {
  wss.options.handleProtocols = handleProtocols;
  const awaitingPong = new WeakSet<WebSocket>();
  // A ping is a system call per socket (≈ 13 µs): 10,000 at once would hold the event loop for
  // over 100 ms, so the sweep goes in slices, like the frame writer (docs/adr/0015).
  let sweeping: NodeJS.Immediate | null = null;
  const sweepSlice = (sockets: Iterator<WebSocket>) => {
    sweeping = null;
    const deadline = performance.now() + WRITE_SLICE_MS;
    for (let n = 1; ; n++) {
      const next = sockets.next();
      if (next.done) return;
      const socket = next.value;
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) socket.terminate();
      else {
        awaitingPong.add(socket);
        socket.ping();
      }
      if (n % 32 === 0 && performance.now() >= deadline) break;
    }
    sweeping = setImmediate(sweepSlice, sockets);
  };
  const sweep = setInterval(() => {
    if (sweeping) clearImmediate(sweeping);
    sweepSlice([...wss.clients][Symbol.iterator]());
  }, keepAliveMs);
  sweep.unref();
  function onPong(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  function onError(this: WebSocket, error: Error): void {
    console.error("Internal error emitted on a WebSocket socket.", error);
    this.close(CloseCode.InternalServerError, "Internal server error");
  }
  const connect = (socket: WebSocket, ip: string, stream: Duplex) => {
    socket.once("error", onError);
    socket.on("pong", onPong);
    const frames = new SocketFrames(socket, stream);
    const closed = protocol.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            writer.flush(frames); // the frames queued before this message leave first
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", (data: Buffer) => {
            handle(String(data)).catch((error: unknown) => {
              console.error("Internal error occurred during message handling.", error);
              socket.close(CloseCode.InternalServerError, "Internal server error");
            });
          }),
      },
      { socket, ip, frames },
    );
    socket.once("close", (code: number, reason: Buffer) => void closed(code, String(reason)));
  };
  return {
    connect,
    dispose: async () => {
      clearInterval(sweep);
      if (sweeping) clearImmediate(sweeping);
      for (const client of wss.clients) client.close(1001, "Going away");
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  // A JSON error with the security headers, like every other answer (lib/http-guards.ts).
  if (status === 429) refuseSocket(socket, status, text, `Too many connections: retry in ${headers["Retry-After"] ?? 1} s.`, "RATE_LIMITED", headers);
  else refuseSocket(socket, status, text, "No WebSocket endpoint here.", "NOT_FOUND", headers);
}
