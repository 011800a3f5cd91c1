// What buildApp needs, derived from the environment (env.ts) or given directly by tests.
import type { Env } from "./env.ts";
import { parseOrigins } from "./lib/http-guards.ts";
import type { RetryPolicy } from "./modules/webhooks/domain.ts";

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl?: string | undefined;
  /** PGlite's directory; "memory://" keeps it in memory. */
  dataDir: string;
  redisUrl?: string | undefined;
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  production: boolean;
  demo: boolean;
  logLevel: string;
  sessionTtlSeconds: number;
  /** Requests (and public WebSocket connections) per second per client IP; 0 = unlimited. */
  publicRateLimit: number;
  /** Take the client IP from X-Forwarded-For (set it only behind your own proxy). */
  trustProxy: boolean;
  /** Open connections per socket address (MAX_CONNECTIONS_PER_IP, default 256); 0 = no cap. */
  maxConnectionsPerIp?: number | undefined;
  /** Event-loop lag (ms) above which requests are shed with 503 (LOAD_SHED_LAG_MS, default 200); 0 = never. */
  loadShedLagMs?: number | undefined;
  /**
   * For this long after listening (LOAD_SHED_GRACE_MS, default 1000 ms) nothing is shed: the
   * first requests compile the hot paths and build the first pages, a stall that is not load.
   */
  loadShedGraceMs?: number | undefined;
  /** Origins allowed to call /graphql from a browser besides the app's own (CORS_ORIGINS). */
  corsOrigins?: string[] | undefined;
  /** Sign-in/sign-up attempts per 15 min per IP + email (10× that per IP); 0 = unlimited. */
  authRateLimit: number;
  /** subscribeToStatusPage calls per hour per address (SUBSCRIBE_RATE_LIMIT, default 5); the four public subscription mutations 10× that per IP; 0 = unlimited. */
  subscribeRateLimit?: number | undefined;
  /** Page hosts are <slug>.<statusBaseDomain>. */
  statusBaseDomain?: string | undefined;
  /** GET /metrics (METRICS=1): loop delay, RSS, query count for the benchmark (lib/metrics.ts). */
  metrics?: boolean;
  /** METRICS_TRACE: a file for the statement timeline of each POST run alone (lib/metrics.ts). */
  metricsTrace?: string | undefined;
  /** Execute each event once per selection (true) or once per socket (the benchmark's baseline). */
  sharedFanOut?: boolean;
  /** The port verifyCustomDomain asks a claimed domain's challenge on (CUSTOM_DOMAIN_CHECK_PORT, default 80); 0: the port this server listens on. */
  customDomainCheckPort?: number | undefined;
  /** The built web app; defaults to web/dist (tests point it elsewhere). */
  webDist?: string | undefined;
  /** Origin of links sent to people (invitations), no trailing slash; unset: http://localhost:<port>. */
  publicUrl?: string | undefined;
  /** SMTP server for outgoing mail; unset: mails are logged (lib/mailer.ts). */
  smtpUrl?: string | undefined;
  /** The From of outgoing mail. */
  mailFrom?: string | undefined;
  /** ALLOW_PRIVATE_WEBHOOKS: webhooks may target loopback and private networks (local use, tests). */
  allowPrivateWebhooks?: boolean | undefined;
  /** Delivery timing (tests shorten it; production keeps the defaults of modules/webhooks). */
  webhooks?: Partial<RetryPolicy & { pollIntervalMs: number; leaseMs: number }> | undefined;
}

export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export function configFromEnv(env: Env): AppConfig {
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET,
    jwksUrl: env.JWT_JWKS_URL,
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    production: env.NODE_ENV === "production",
    // Demo data (known passwords) by default only on the embedded database outside production:
    // a shared PostgreSQL or a production instance gets it only on request (DEMO=1).
    demo: env.DEMO ?? (!env.DATABASE_URL && env.NODE_ENV !== "production"),
    logLevel: env.LOG_LEVEL,
    sessionTtlSeconds: SESSION_TTL_SECONDS,
    publicRateLimit: env.PUBLIC_RATE_LIMIT,
    trustProxy: env.TRUST_PROXY,
    maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
    loadShedLagMs: env.LOAD_SHED_LAG_MS,
    loadShedGraceMs: env.LOAD_SHED_GRACE_MS,
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    authRateLimit: env.AUTH_RATE_LIMIT,
    subscribeRateLimit: env.SUBSCRIBE_RATE_LIMIT,
    statusBaseDomain: env.STATUS_BASE_DOMAIN,
    sharedFanOut: env.SHARED_FANOUT,
    metrics: env.METRICS,
    metricsTrace: env.METRICS_TRACE,
    customDomainCheckPort: env.CUSTOM_DOMAIN_CHECK_PORT,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ""),
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    allowPrivateWebhooks: env.ALLOW_PRIVATE_WEBHOOKS,
  };
}

/**
 * What must hold before anything is opened (buildApp calls it first, so a refused start never
 * creates or migrates a database): in production a JWT_SECRET (API.md), since a generated one
 * would be readable by anyone with the database and would end every session on each deploy.
 */
export function refuseUnsafeConfig(config: AppConfig): void {
  if (config.production && !config.jwtSecret) {
    throw new Error("JWT_SECRET is required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -base64 48`).");
  }
}
