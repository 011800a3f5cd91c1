// What buildApp needs, derived from the environment (env.ts) or given directly by tests.
import type { Env } from "./env.ts";

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl?: string | undefined;
  /** PGlite's directory (and the development JWT secret's); "memory://" keeps both in memory. */
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
  /** Sign-in/sign-up attempts per 15 min per IP + email (10× that per IP); 0 = unlimited. */
  authRateLimit: number;
  /** Page hosts are <slug>.<statusBaseDomain>. */
  statusBaseDomain?: string | undefined;
  /** Execute each event once per selection (true) or once per socket (the benchmark's baseline). */
  sharedFanOut?: boolean;
  /** The built web app; defaults to web/dist (tests point it elsewhere). */
  webDist?: string | undefined;
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
    // Demo data by default only on the embedded database: a shared PostgreSQL gets it on request.
    demo: env.DEMO ?? !env.DATABASE_URL,
    logLevel: env.LOG_LEVEL,
    sessionTtlSeconds: SESSION_TTL_SECONDS,
    publicRateLimit: env.PUBLIC_RATE_LIMIT,
    trustProxy: env.TRUST_PROXY,
    authRateLimit: env.AUTH_RATE_LIMIT,
    statusBaseDomain: env.STATUS_BASE_DOMAIN,
    sharedFanOut: env.SHARED_FANOUT,
  };
}
