// The composition root: buildApp(config) wires the database, the event bus, sessions and the
// two GraphQL endpoints into one HTTP server, and gives back start() and stop().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { GraphQLSchema } from "graphql";
import { pino, type Logger } from "pino";
import type { AppConfig } from "./config.ts";
import { createContext, publicContext, type AppServices, type Context } from "./context.ts";
import { queryLimits } from "./graphql/limits.ts";
import { createMaskError } from "./graphql/mask.ts";
import { buildSchemas } from "./graphql/schema.ts";
import { openDatabase } from "./lib/db.ts";
import { createInProcessEventBus, type EventBus } from "./lib/pubsub.ts";
import { clientIp, createLimiters } from "./lib/ratelimit.ts";
import { createRedisEventBus } from "./lib/redis-bus.ts";
import { attachWebSockets } from "./lib/websocket.ts";
import { createWebHandler, type WebHandler } from "./lib/web.ts";
import { useSharedSubscriptionExecution } from "./graphql/shared-execution.ts";
import { EventHub } from "./modules/events/hub.ts";
import { Authority } from "./modules/auth/authority.ts";
import { isPublicFile, servePublicFile } from "./modules/public-surface/http.ts";
import { createPageHostResolver, pathOnMainHost, type PageHostResolver } from "./modules/public-surface/page-hosts.ts";
import { startMaintenanceClock, type MaintenanceClock } from "./modules/maintenance/clock.ts";
import { createMutationRunner } from "./lib/tx.ts";
import { createSessions } from "./modules/auth/sessions.ts";
import { seedDemo } from "./modules/demo/seed.ts";

export interface App {
  server: Server;
  services: AppServices;
  /** Null until start(). */
  clock: () => MaintenanceClock | null;
  /** Listens on config.port (0 picks a free one); resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function buildApp(config: AppConfig, options: { logger?: Logger } = {}): Promise<App> {
  const log = options.logger ?? pino({ level: config.logLevel });
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, log: (m) => log.info(m) });
  const bus: EventBus = config.redisUrl ? createRedisEventBus(config.redisUrl, log) : createInProcessEventBus();
  const hub = new EventHub(db.prisma, bus, log);
  const limiters = createLimiters({ publicPerSecond: config.publicRateLimit, authPerIpAndEmail: config.authRateLimit, redisUrl: config.redisUrl });
  const sessions = createSessions({
    jwtSecret: config.jwtSecret,
    jwksUrl: config.jwksUrl,
    jwtIssuer: config.jwtIssuer,
    jwtAudience: config.jwtAudience,
    dataDir: config.dataDir,
    production: config.production,
    sessionTtlSeconds: config.sessionTtlSeconds,
  });
  const authority = new Authority(db.prisma, log);
  const services: AppServices = { db, bus, sessions, mutations: createMutationRunner(db, bus), hub, authority, limiters, log };
  if (config.demo) await seedDemo(services);

  const schemas = buildSchemas();
  const maskError = createMaskError(log);
  // WebSocket operations arrive with their context already built (lib/websocket.ts).
  type Initial = { request: Request; req: IncomingMessage; operationContext?: Context };
  const yoga = (schema: GraphQLSchema, endpoint: string, context: (initial: Initial) => Context | Promise<Context>) =>
    createYoga<object, Context>({
      schema,
      graphqlEndpoint: endpoint,
      context: (initial) => (initial as unknown as Initial).operationContext ?? context(initial as unknown as Initial),
      maskedErrors: { maskError },
      plugins: [queryLimits(), useSharedSubscriptionExecution({ share: config.sharedFanOut !== false })],
      graphiql: { title: endpoint === "/graphql" ? "Statuspage console" : "Statuspage public API" },
      landingPage: false,
      logging: false,
    });
  const admin = yoga(schemas.admin, "/graphql", ({ request, req }) => createContext(services, request.headers.get("authorization"), clientIp(req, config.trustProxy)));
  // The public endpoint is anonymous by definition: a token sent there is ignored, not checked.
  const publicYoga = yoga(schemas.public, "/graphql/public", () => publicContext(services));

  const web = createWebHandler(config.webDist);
  const pageHosts = createPageHostResolver(db.prisma, config.statusBaseDomain);
  if (!web) log.warn("web/dist is missing: the API runs without the web app (npm run build:web)");
  const server = createServer((req, res) => {
    const started = performance.now();
    res.on("finish", () =>
      log.info({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, "request"),
    );
    route(req, res, { admin, publicYoga, services, trustProxy: config.trustProxy, web, pageHosts }).catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Internal server error." }));
    });
  });

  let stopping: Promise<void> | undefined;
  let clock: MaintenanceClock | null = null;
  const sockets = attachWebSockets(
    server,
    [
      { path: "/graphql", yoga: admin, isPublic: false },
      { path: "/graphql/public", yoga: publicYoga, isPublic: true },
    ],
    { services, limiter: limiters.public, trustProxy: config.trustProxy },
  );

  return {
    server,
    services,
    clock: () => clock,
    start: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          clock ??= startMaintenanceClock(services, log);
          resolve(`http://localhost:${port}`);
        });
      }),
    /** Stops accepting, ends every subscription with a reconnect code, then closes the stores. Idempotent. */
    stop: () => (stopping ??= stop()),
  };

  async function stop(): Promise<void> {
    await clock?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    hub.close(); // SSE streams complete; their clients reconnect
    await sockets.close();
    authority.close();
    const grace = setTimeout(() => server.closeAllConnections(), 2_000);
    await closed;
    clearTimeout(grace);
    await limiters.close();
    await bus.close();
    await db.close();
  }
}

interface Handlers {
  admin: YogaServerInstance<object, Context>;
  publicYoga: YogaServerInstance<object, Context>;
  services: AppServices;
  trustProxy: boolean;
  web: WebHandler | null;
  pageHosts: PageHostResolver;
}

async function route(req: IncomingMessage, res: ServerResponse, { admin, publicYoga, services, trustProxy, web, pageHosts }: Handlers): Promise<void> {
  let path = (req.url ?? "/").split("?")[0] ?? "/";
  const pageSlug = await pageHosts(req.headers.host);
  if (pageSlug) {
    const mapped = pathOnMainHost(path, pageSlug);
    if (mapped === null) {
      if (!(await services.db.prisma.organization.findUnique({ where: { slug: pageSlug }, select: { id: true } }))) return json(res, 404, { error: "No such status page." });
      if (web) return web.statusPage(req, res, pageSlug);
      return json(res, 404, { error: "The web app is not built." });
    }
    path = mapped;
  }
  const publicGraphql = path === "/graphql/public" || path.startsWith("/graphql/public/");
  if (publicGraphql || isPublicFile(path)) {
    // The public surfaces share one per-IP budget (PUBLIC_RATE_LIMIT).
    const retryAfter = await services.limiters.public.take(clientIp(req, trustProxy));
    if (retryAfter !== null) return rateLimited(res, retryAfter);
    if (publicGraphql) return publicYoga(req, res);
    return servePublicFile(req, res, path, services.db.prisma, trustProxy, pageSlug !== null);
  }
  if (path === "/graphql" || path.startsWith("/graphql/")) return admin(req, res);
  if (path === "/health") return json(res, 200, { status: "ok" });
  if (path === "/ready") {
    const database = await services.db.ping().then(
      () => "ok",
      (error: unknown) => (services.log.warn({ err: error }, "database not ready"), "down"),
    );
    const events = services.bus.healthy() ? "ok" : "down";
    const ready = database === "ok" && events === "ok";
    return json(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", database, events });
  }
  if (web && (req.method === "GET" || req.method === "HEAD")) return web(req, res);
  return json(res, 404, { error: "Not found." });
}

function rateLimited(res: ServerResponse, retryAfter: number): void {
  res.writeHead(429, { "content-type": "application/json; charset=utf-8", "retry-after": String(retryAfter) });
  res.end(JSON.stringify({ errors: [{ message: `Too many requests: retry in ${retryAfter} s.`, extensions: { code: "RATE_LIMITED" } }] }));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
