// graphql-ws on /graphql and /graphql/public, run through each endpoint's Yoga envelop so
// WebSocket operations get the same plugins (masking, limits, shared fan-out) as HTTP.
// Auth comes from connectionParams.authorization and is checked once at connection: a bad
// token closes with 4401, and a session closes with 4401 when it expires so the client signs
// in again. Public connections are throttled per IP before the upgrade.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { DocumentNode, ExecutionArgs, GraphQLError, GraphQLSchema } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";
import { contextFor, publicContext, viewerOf, type AppServices, type Context, type Transport } from "../context.ts";
import { isAppError } from "../graphql/errors.ts";
import type { Viewer } from "../modules/auth/viewer.ts";
import { clientIp, type Limiter } from "./ratelimit.ts";

/** Close codes clients (graphql-ws' own and ours) treat as "reconnect". */
export const SERVER_RESTART = 1012;
const TRY_AGAIN_LATER = 1013;

interface Endpoint {
  path: string;
  yoga: YogaServerInstance<object, Context>;
  /** Public: anonymous whatever is sent, and throttled per IP. */
  isPublic: boolean;
}

interface Options {
  services: AppServices;
  limiter: Limiter;
  trustProxy: boolean;
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
  const viewers = new WeakMap<WebSocket, Viewer>();
  const servers = endpoints.map((endpoint) => {
    const wss = new WebSocketServer({ noServer: true });
    const disposable = useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
      {
        execute: (args) => (args.rootValue as RoundTripExecutor).execute(args) as never,
        subscribe: (args) => (args.rootValue as RoundTripExecutor).subscribe(args) as never,
        onConnect: async (ctx) => {
          if (endpoint.isPublic) return true;
          const authorization = ctx.connectionParams?.authorization;
          try {
            const viewer = await viewerOf(services, typeof authorization === "string" ? authorization : null);
            viewers.set(ctx.extra.socket, viewer);
            if (viewer.kind === "user") closeAtExpiry(ctx.extra.socket, viewer.expiresAt);
            return true;
          } catch (error) {
            if (!isAppError(error)) services.log.error({ err: error }, "websocket auth failed");
            ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized: sign in again");
            return false;
          }
        },
        onSubscribe: async (ctx, _id, payload) => {
          const socket = ctx.extra.socket;
          const transport: Transport = { dropSlowSubscriber: () => socket.close(TRY_AGAIN_LATER, "Too slow: reconnect and resume") };
          const operationContext = endpoint.isPublic
            ? publicContext(services, transport)
            : contextFor(services, viewers.get(socket) ?? { kind: "anonymous" }, transport, clientIp(ctx.extra.request, options.trustProxy));
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
    const path = (req.url ?? "/").split("?")[0];
    const target = servers.find((s) => s.endpoint.path === path);
    if (!target) return refuse(socket, 404, "Not Found");
    const accept = () => target.wss.handleUpgrade(req, socket, head, (ws) => target.wss.emit("connection", ws, req));
    if (!target.endpoint.isPublic) return accept();
    options.limiter
      .take(clientIp(req, options.trustProxy))
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

function closeAtExpiry(socket: WebSocket, expiresAtMs: number): void {
  const delay = expiresAtMs - Date.now();
  if (delay > 2 ** 31 - 1) return; // beyond setTimeout's range: longer than any session we issue
  const timer = setTimeout(() => socket.close(CloseCode.Unauthorized, "Session expired: sign in again"), Math.max(0, delay));
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""];
  socket.end(lines.join("\r\n"));
}
