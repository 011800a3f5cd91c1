// The composition root: buildApp(config) wires the database, the event bus, sessions and the
// two GraphQL endpoints into one HTTP server, and gives back start() and stop().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { GraphQLSchema } from "graphql";
import { pino, type Logger } from "pino";
import { refuseUnsafeConfig, type AppConfig } from "./config.ts";
import { createContext, publicContext, type AppServices, type Context, type PublishedReads } from "./context.ts";
import { queryLimits } from "./graphql/limits.ts";
import { createMaskError } from "./graphql/mask.ts";
import { refuseUnstorableInput } from "./graphql/input-guard.ts";
import { buildSchemas } from "./graphql/schema.ts";
import { openDatabase } from "./lib/db.ts";
import { createMailer } from "./lib/mailer.ts";
import { createMetrics } from "./lib/metrics.ts";
import { createInProcessEventBus, type EventBus } from "./lib/pubsub.ts";
import { clientIp, createLimiters, type Limiter } from "./lib/ratelimit.ts";
import {
  applyCors,
  bodyLimitFor,
  BODY_LIMITS,
  capConnections,
  monitorLag,
  overloaded,
  publicHeaders,
  rateLimited,
  readBody,
  refuseSocket,
  securityHeaders,
  type ConnectionCap,
  type CorsPolicy,
} from "./lib/http-guards.ts";
import { isAppError, rateLimited as rateLimitedError } from "./graphql/errors.ts";
import { createRedisEventBus } from "./lib/redis-bus.ts";
import { attachWebSockets } from "./lib/websocket.ts";
import { createWebHandler, type WebHandler } from "./lib/web.ts";
import { useSharedSubscriptionExecution } from "./graphql/shared-execution.ts";
import { EventHub, type HubOptions } from "./modules/events/hub.ts";
import { Authority } from "./modules/auth/authority.ts";
import { isPublicFile, servePublicFile } from "./modules/public-surface/http.ts";
import { PublishedPages } from "./modules/public/published-pages.ts";
import { PublicResponseCache, serveFromCache } from "./modules/public/fast-path.ts";
import { FALLBACK_SHELL, PageShell } from "./modules/public/page-html.ts";
import { pageTarget, servePage, serveSubscriptionPage, subscriptionPageSlug } from "./modules/public/page-route.ts";
import { createPageHostResolver, pathOnMainHost, type PageHostResolver } from "./modules/public-surface/page-hosts.ts";
import { startMaintenanceClock, type MaintenanceClock } from "./modules/maintenance/clock.ts";
import { createMutationRunner } from "./lib/tx.ts";
import { createSessions, developmentSecret } from "./modules/auth/sessions.ts";
import { CHALLENGE_PATH, createCustomDomains, serveChallenge, type ResolveTxt } from "./modules/orgs/custom-domain.ts";
import { seedDemo } from "./modules/demo/seed.ts";
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from "./modules/webhooks/deliver.ts";
import { NotificationDispatcher } from "./modules/notifications/dispatcher.ts";
import { subscriberDestinations } from "./modules/subscribers/destination.ts";
import { createSubscriptionTokens } from "./modules/subscribers/tokens.ts";
import { webhookDestinations } from "./modules/webhooks/destination.ts";
import { isSubscriptionRoute, serveSubscriptionRoute } from "./modules/subscribers/http.ts";
import { DEFAULT_RETRY } from "./modules/webhooks/domain.ts";
import { foregroundStarted } from "./lib/foreground.ts";

/** Pending connections the kernel may queue for accept() (see start()). */
const LISTEN_BACKLOG = 4096;

export interface App {
  server: Server;
  services: AppServices;
  /** Null until start(). */
  clock: () => MaintenanceClock | null;
  /** Listens on config.port (0 picks a free one); resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function buildApp(
  config: AppConfig,
  options: {
    logger?: Logger;
    resolveTxt?: ResolveTxt;
    /** Replaces the event-loop lag measurement (tests). */ eventLoopLag?: () => number;
    /** The event hub's bounds (tests lower the slow-subscriber cut-off). */ hub?: HubOptions;
  } = {},
): Promise<App> {
  refuseUnsafeConfig(config); // before anything is opened, created or migrated
  const log = options.logger ?? pino({ level: config.logLevel });
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, log: (m) => log.info(m) });
  const bus: EventBus = config.redisUrl ? createRedisEventBus(config.redisUrl, log) : createInProcessEventBus();
  const hub = new EventHub(db.prisma, bus, log, options.hub);
  const limiters = createLimiters({ publicPerSecond: config.publicRateLimit, authPerIpAndEmail: config.authRateLimit, subscribePerAddress: config.subscribeRateLimit ?? 5, redisUrl: config.redisUrl });
  // Outside production without JWT_SECRET: one generated secret kept in the database, shared by every instance on it.
  const serverSecret = config.jwtSecret ?? (await developmentSecret(db.prisma));
  const sessions = createSessions({
    jwtSecret: serverSecret,
    jwksUrl: config.jwksUrl,
    jwtIssuer: config.jwtIssuer,
    jwtAudience: config.jwtAudience,
    sessionTtlSeconds: config.sessionTtlSeconds,
  });
  const authority = new Authority(db.prisma, log);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log });
  let listeningPort = config.port; // the real one once listening (port 0 picks a free one)
  const publicUrl = () => config.publicUrl ?? `http://localhost:${listeningPort}`;
  if (config.production && !config.publicUrl) log.warn("PUBLIC_URL is not set: links in invitations point at http://localhost");
  const customDomains = createCustomDomains({
    checkPort: () => (config.customDomainCheckPort ?? 80) || listeningPort,
    statusBaseDomain: config.statusBaseDomain,
    publicUrl,
    resolveTxt: options.resolveTxt,
  });
  const pages = new PublishedPages(db.prisma, bus, (error, organizationId) => log.warn({ err: error, organizationId }, "published page: bus or database trouble"));
  // A commit here invalidates this instance's page at once (before the bus echoes it back), so
  // whoever changed something sees it on their next read; other instances hear the bus.
  const mutations = createMutationRunner(db, bus, (organizationId) => pages.invalidate(organizationId));
  const responses = new PublicResponseCache(pages);
  const { pollIntervalMs, leaseMs, ...retry } = config.webhooks ?? {};
  const webhookSettings: WebhookSettings = {
    retry: { ...DEFAULT_RETRY, ...retry },
    allowPrivate: config.allowPrivateWebhooks ?? false,
    pollIntervalMs: pollIntervalMs ?? DEFAULT_WEBHOOK_SETTINGS.pollIntervalMs,
    leaseMs: leaseMs ?? DEFAULT_WEBHOOK_SETTINGS.leaseMs,
  };
  const subscriptionTokens = createSubscriptionTokens(serverSecret);
  // One pipeline, two kinds of destination (docs/adr/0020, 0021).
  const dispatcher = new NotificationDispatcher({ prisma: db.prisma, bus, log, settings: webhookSettings, publicUrl })
    .serve(webhookDestinations(webhookSettings))
    .serve(subscriberDestinations({ mailer, tokens: subscriptionTokens, publicUrl }));
  const webhooks = { settings: webhookSettings, dispatcher };
  const services: AppServices = { db, bus, sessions, mutations, hub, authority, limiters, log, mailer, publicUrl, customDomains, pages, answers: responses, webhooks, subscriptionTokens };
  if (config.demo) await seedDemo(services);

  const schemas = buildSchemas();
  const maskError = createMaskError(log);
  // WebSocket operations arrive with their context already built (lib/websocket.ts).
  type Initial = { request: Request; req: IncomingMessage; operationContext?: Context; published?: PublishedReads };
  const yoga = (schema: GraphQLSchema, endpoint: string, context: (initial: Initial) => Context | Promise<Context>) =>
    createYoga<object, Context>({
      schema,
      graphqlEndpoint: endpoint,
      context: (initial) => (initial as unknown as Initial).operationContext ?? context(initial as unknown as Initial),
      maskedErrors: { maskError },
      plugins: [refuseUnstorableInput(), queryLimits(), useSharedSubscriptionExecution({ share: config.sharedFanOut !== false, maskError })],
      // A browser opening an endpoint gets the product's own console (route() below), never
      // Yoga's page, which loads GraphiQL from a CDN (docs/adr/0017).
      graphiql: false,
      cors: false, // lib/http-guards.ts answers CORS for both endpoints (docs/adr/0009)
      landingPage: false,
      logging: false,
    });
  const admin = yoga(schemas.admin, "/graphql", async ({ request, req }) => {
    const ip = clientIp(req, config.trustProxy);
    try {
      return await createContext(services, request.headers.get("authorization"), ip);
    } catch (error) {
      // A token that does not verify is anonymous work: it takes from the per-IP public budget.
      if (isAppError(error) && error.code === "UNAUTHENTICATED") {
        const retryAfter = await services.limiters.public.take(ip);
        if (retryAfter !== null) throw rateLimitedError(retryAfter, `Too many requests: retry in ${retryAfter} s.`);
      }
      throw error;
    }
  });
  // The public endpoint is anonymous by definition: a token sent there is ignored, not checked.
  // `published` is set by the fast path (modules/public/fast-path.ts) on the GETs it may cache.
  const publicYoga = yoga(schemas.public, "/graphql/public", ({ published, req }) => ({ ...publicContext(services, undefined, clientIp(req, config.trustProxy)), published }));

  const web = createWebHandler(config.webDist);
  const pageHosts = createPageHostResolver(db.prisma, config.statusBaseDomain);
  if (!web) log.warn("web/dist is missing: the API runs without the web app (npm run build:web)");
  // The public pages' first HTML is the app's index.html with the page rendered into it.
  const shell = new PageShell(web?.index ?? FALLBACK_SHELL);
  // lib/http-guards.ts: connection cap, load shedding, CORS, body caps, security headers (docs/adr/0009).
  const lagMonitor = config.loadShedLagMs !== 0 ? monitorLag() : null;
  const lagThreshold = config.loadShedLagMs ?? 200;
  const measuredLag = options.eventLoopLag ?? (() => lagMonitor?.lag() ?? 0);
  // Shedding starts LOAD_SHED_GRACE_MS after listen (set there): the stall of boot work (migrations,
  // seeding) and of the first requests compiling the hot paths is not load.
  let shedFrom = Number.POSITIVE_INFINITY;
  const lagging = () => lagThreshold > 0 && performance.now() >= shedFrom && measuredLag() > lagThreshold;
  const cors: CorsPolicy = { allowed: config.corsOrigins ?? [], own: () => config.publicUrl };
  // eslint-disable-next-line prefer-const -- assigned once the server exists
  let connections: ConnectionCap;
  const metrics = config.metrics ? createMetrics(config.metricsTrace) : null;
  // A listener and a timer per request cost the hot public path; skip them when nobody reads them.
  const requestLog = log.isLevelEnabled("info");
  const server = createServer((req, res) => {
    if (connections.refused(req.socket)) return; // answered 429 and closing (capConnections)
    if (metrics && (req.url === "/metrics" || req.url === "/metrics?gc=1")) return json(res, 200, metrics.snapshot(req.url.endsWith("gc=1")));
    // An admin's write goes before the fan-out's next slices (lib/foreground.ts, docs/adr/0028).
    if (req.method === "POST" && req.url?.startsWith("/graphql") && !req.url.startsWith("/graphql/public")) {
      const done = foregroundStarted();
      res.once("finish", done).once("close", done);
    }
    if (metrics && req.method === "POST") {
      const started = performance.now();
      const traced = metrics.postStarted();
      res.on("finish", () => {
        metrics.post(performance.now() - started);
        traced?.();
      });
    }
    if (requestLog) {
      const started = performance.now();
      res.on("finish", () =>
        log.info({ method: req.method, url: withoutTokens(req.url), status: res.statusCode, ms: Math.round(performance.now() - started) }, "request"),
      );
    }
    route(req, res, { admin, publicYoga, responses, services, trustProxy: config.trustProxy, web, shell, pageHosts, lagging, cors }).catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) {
        securityHeaders(res, "json");
        res.writeHead(500, { "content-type": "application/json" });
      }
      res.end(JSON.stringify({ error: "Internal server error." }));
    });
  });

  connections = capConnections(server, config.maxConnectionsPerIp ?? 256);

  let stopping: Promise<void> | undefined;
  let clock: MaintenanceClock | null = null;
  let dispatching = false;
  const sockets = attachWebSockets(
    server,
    [
      { path: "/graphql", yoga: admin, isPublic: false, maxPayload: BODY_LIMITS.graphql },
      { path: "/graphql/public", yoga: publicYoga, isPublic: true, maxPayload: BODY_LIMITS.publicGraphql },
    ],
    {
      services,
      limiter: limiters.public,
      trustProxy: config.trustProxy,
      admit: (_req, socket) => {
        if (connections.refused(socket)) return false;
        if (!lagging()) return true;
        refuseSocket(socket, 503, "Service Unavailable", "The server is overloaded: retry in 1 s.", "RATE_LIMITED", { "retry-after": "1" });
        return false;
      },
    },
  );

  return {
    server,
    services,
    clock: () => clock,
    start: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        // A status page is opened by everyone at once: a deeper accept queue than Node's 511 (the
        // kernel caps it at net.core.somaxconn) keeps a burst of new connections from overflowing
        // it, which would leave clients with handshakes the kernel dropped, retried seconds later.
        server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
          const { port } = server.address() as AddressInfo;
          listeningPort = port;
          lagMonitor?.reset();
          shedFrom = performance.now() + (config.loadShedGraceMs ?? 1_000);
          clock ??= startMaintenanceClock(services, log);
          if (!dispatching) {
            dispatching = true;
            dispatcher.start();
          }
          resolve(`http://localhost:${port}`);
        });
      }),
    /** Stops accepting, ends every subscription with a reconnect code, then closes the stores. Idempotent. */
    stop: () => (stopping ??= stop()),
  };

  async function stop(): Promise<void> {
    await clock?.stop();
    await dispatcher.stop(); // attempts in flight finish (each bounded by its timeout) and record
    lagMonitor?.stop();
    pages.close();
    metrics?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    hub.close(); // SSE streams complete; their clients reconnect
    await sockets.close();
    authority.close();
    const grace = setTimeout(() => server.closeAllConnections(), 2_000);
    await closed;
    clearTimeout(grace);
    await limiters.close();
    mailer.close();
    await bus.close();
    await db.close();
  }
}

interface Handlers {
  admin: YogaServerInstance<object, Context>;
  publicYoga: YogaServerInstance<object, Context>;
  responses: PublicResponseCache;
  services: AppServices;
  trustProxy: boolean;
  web: WebHandler | null;
  shell: PageShell;
  pageHosts: PageHostResolver;
  /** Whether the event loop lags past LOAD_SHED_LAG_MS: shed GraphQL and public-file requests. */
  lagging: () => boolean;
  cors: CorsPolicy;
}

async function route(req: IncomingMessage, res: ServerResponse, { admin, publicYoga, responses, services, trustProxy, web, shell, pageHosts, lagging, cors }: Handlers): Promise<void> {
  let path = (req.url ?? "/").split("?")[0] ?? "/";
  // Custom-domain proof (modules/orgs/custom-domain.ts): answered on every host, page hosts included.
  if (path.startsWith(CHALLENGE_PATH)) {
    securityHeaders(res, "json");
    if (lagging()) return overloaded(res);
    const retryAfter = await services.limiters.public.take(clientIp(req, trustProxy));
    if (retryAfter !== null) return rateLimited(res, retryAfter);
    return serveChallenge(req, res, services.db.prisma, path.slice(CHALLENGE_PATH.length));
  }
  const hosted = pageHosts(req.headers.host);
  const pageSlug = typeof hosted === "string" || hosted === null ? hosted : await hosted;
  const page = req.method === "GET" || req.method === "HEAD" ? pageTarget(path, pageSlug) : null;
  if (page) {
    // The public pages' first HTML (modules/public/page-route.ts, docs/adr/0016): from memory
    // once built, on the local public budget; building it may execute the page's query, which
    // takes from the shared one too.
    if (lagging()) return overloaded(res);
    const ip = clientIp(req, trustProxy);
    if (!(await takeToken(services.limiters.publicLocal, ip, res))) return;
    return servePage(req, res, page, { pages: services.pages, answers: responses, yoga: publicYoga, shell, beforeWork: sharedBudget(services.limiters, ip, res) });
  }
  if ((req.method === "GET" || req.method === "HEAD") && subscriptionPageSlug(path, pageSlug) !== null) {
    securityHeaders(res, "app", req.headers.host); // a page with an unsubscribe button is never framed
    return serveSubscriptionPage(req, res, shell, pageSlug);
  }
  if (pageSlug) {
    const mapped = pathOnMainHost(path, pageSlug);
    if (mapped === null) {
      securityHeaders(res, "json");
      return json(res, 404, { error: "Not found." }); // the page itself, asked with another method
    }
    path = mapped;
  }
  const publicGraphql = path === "/graphql/public" || path.startsWith("/graphql/public/");
  const graphql = publicGraphql || path === "/graphql" || path.startsWith("/graphql/");
  // A public read may be answered from memory, its head written whole with the headers every
  // public answer carries (public/representation.ts): those are set only once it is not
  // (publicHeaders), as headers set one by one cost a read from memory 12–17 % of its time.
  // The page (above) does the same. Every other answer gets the JSON kind's now; a route that
  // serves something else sets its own.
  const publicRead = (req.method === "GET" || req.method === "HEAD") && (publicGraphql || isPublicFile(path));
  if (!publicRead) securityHeaders(res, "json");
  if (graphql && wantsConsole(req, path)) return serveConsole(req, res, web);
  if (isSubscriptionRoute(path)) {
    // One-click unsubscribe and the subscribers' CSV (modules/subscribers/http.ts).
    if (lagging()) return overloaded(res);
    const ip = clientIp(req, trustProxy);
    if (!req.headers.authorization && !(await takeToken(services.limiters.public, ip, res))) return;
    return serveSubscriptionRoute(req, res, path, services, ip);
  }
  // Bodies are capped on every path (lib/http-guards.ts): read here, up to the cap, only once the
  // request got past CORS, load shedding and the budget; Yoga takes the bytes from req.body.
  if (!graphql && !(await takeBody(req, res, path, graphql))) return;
  if (publicGraphql || isPublicFile(path)) {
    if (!publicRead && applyCors(req, res, "public", cors)) return;
    if (lagging()) return overloaded(res);
    // The public surfaces share one per-IP budget (PUBLIC_RATE_LIMIT). Answers from memory
    // (the files, cached GraphQL GETs) count it on this instance only: no round trip to Redis
    // per request; a GraphQL execution also takes from the shared budget (docs/adr/0013).
    // (No named closures on this path: under tsx each would cost a defineProperty per request.)
    const ip = clientIp(req, trustProxy);
    if (!(await takeToken(services.limiters.publicLocal, ip, res))) return;
    const cacheKey = publicGraphql && path === "/graphql/public" ? PublicResponseCache.keyOf(req) : null;
    if (cacheKey !== null) return serveFromCache(req, res, cacheKey, responses, publicYoga, sharedBudget(services.limiters, ip, res));
    if (publicGraphql) {
      if (publicRead) publicHeaders(res, "json");
      return (await sharedBudget(services.limiters, ip, res)()) && (await takeBody(req, res, path, graphql)) ? publicYoga(req, res) : undefined;
    }
    return servePublicFile(req, res, path, services.pages, trustProxy, pageSlug !== null);
  }
  if (graphql) {
    if (applyCors(req, res, "private", cors)) return;
    if (lagging()) return overloaded(res);
    // Anonymous work on /graphql takes from the same per-IP budget as the public surfaces; a
    // token that does not verify is charged there too (the admin Yoga's context). Signed-in
    // requests are not throttled per request (docs/adr/0009).
    if (!req.headers.authorization) {
      const retryAfter = await services.limiters.public.take(clientIp(req, trustProxy));
      if (retryAfter !== null) return rateLimited(res, retryAfter);
    }
    if (!(await takeBody(req, res, path, graphql))) return;
    return admin(req, res);
  }
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
  if (web && (req.method === "GET" || req.method === "HEAD")) {
    // The public status page may be embedded in other sites; the dashboard and sign-in may not.
    securityHeaders(res, /^\/status\/[^/]+\/?$/.test(path) ? "page" : "app", req.headers.host);
    return web(req, res);
  }
  return json(res, 404, { error: "Not found." });
}

/**
 * Bodies are capped on every path (lib/http-guards.ts): read here, up to the cap, only once the
 * request got past CORS, load shedding and the budget; Yoga takes the bytes from req.body.
 * False when refused (413 sent).
 */
async function takeBody(req: IncomingMessage, res: ServerResponse, path: string, graphql: boolean): Promise<boolean> {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return true;
  const body = await readBody(req, res, bodyLimitFor(path));
  if (body === null) return false;
  if (graphql) Object.assign(req, { body });
  return true;
}

/** One token of `limiter` for `ip`; false when there is none (429 sent). */
async function takeToken(limiter: Limiter, ip: string, res: ServerResponse): Promise<boolean> {
  const retryAfter = await limiter.take(ip);
  if (retryAfter === null) return true;
  rateLimited(res, retryAfter);
  return false;
}

/**
 * The shared public budget, taken before GraphQL work: answers from memory count only on this
 * instance's budget, an execution on the shared one too (docs/adr/0013).
 */
function sharedBudget(limiters: AppServices["limiters"], ip: string, res: ServerResponse): () => Promise<boolean> {
  return () => (limiters.publicLocal === limiters.public ? Promise.resolve(true) : takeToken(limiters.public, ip, res));
}

/** A browser opening /graphql or /graphql/public (a GET that accepts HTML, as Yoga decides it). */
function wantsConsole(req: IncomingMessage, path: string): boolean {
  return (req.method === "GET" || req.method === "HEAD") && (path === "/graphql" || path === "/graphql/public") && (req.headers.accept ?? "").includes("text/html");
}

/**
 * The GraphQL console is the web app's own (web/src/console: GraphiQL bundled by Vite), under
 * the app's strict policy: nothing loads from another origin (docs/adr/0017). The same URL
 * answers JSON to GraphQL clients, hence Vary: Accept.
 */
function serveConsole(req: IncomingMessage, res: ServerResponse, web: WebHandler | null): void {
  res.setHeader("vary", "Accept");
  if (!web) {
    const body = "The GraphQL console is part of the web app, which is not built here: run `npm run build:web` (GraphQL clients can use this endpoint as it is).\n";
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    return void res.end(req.method === "HEAD" ? undefined : body);
  }
  securityHeaders(res, "app", req.headers.host);
  web(req, res);
}

/** The links of subscription mails carry their token in the query: it stays out of the log. */
function withoutTokens(url: string | undefined): string | undefined {
  return url?.includes("token=") ? url.replace(/([?&]token=)[^&#]*/g, "$1…") : url;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
