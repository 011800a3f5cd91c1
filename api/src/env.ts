// The only file that reads process.env: every setting is parsed, defaulted and documented here.
import { z } from "zod";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./.data"),
  REDIS_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  STATUS_BASE_DOMAIN: z.string().optional(),
  PUBLIC_RATE_LIMIT: z.coerce.number().min(0).default(50),
  TRUST_PROXY: flag.default(false),
  /** Open TCP connections (keep-alive and WebSockets) per socket address; 0: no cap (docs/adr/0009). */
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(256),
  /** Event-loop lag (ms) above which GraphQL and public-file requests get 503; 0: never shed. */
  LOAD_SHED_LAG_MS: z.coerce.number().int().min(0).default(200),
  /** How long after listening nothing is shed (ms): the first requests' warm-up is not load. */
  LOAD_SHED_GRACE_MS: z.coerce.number().int().min(0).default(1000),
  /** Comma-separated origins allowed to call /graphql from a browser (with credentials), besides the app's own. */
  CORS_ORIGINS: z.string().optional(),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
  SUBSCRIBE_RATE_LIMIT: z.coerce.number().int().min(0).default(5),
  /** Diagnostic: 0 executes each event once per socket (the benchmark's baseline). */
  SHARED_FANOUT: flag.default(true),
  DEMO: flag.optional(),
  /** Webhooks may target loopback, private and link-local addresses (local use and tests only). */
  ALLOW_PRIVATE_WEBHOOKS: flag.default(false),
  /** The port verifyCustomDomain asks a claimed domain's HTTP challenge on; 0: this server's own port. */
  CUSTOM_DOMAIN_CHECK_PORT: z.coerce.number().int().min(0).max(65535).default(80),
  /** The address people reach the app at (links in mails and invitations); unset: http://localhost:<PORT>. */
  PUBLIC_URL: z.string().url().optional(),
  /** Outgoing mail (smtp:// or smtps://, credentials in the URL); unset: mails are logged. */
  SMTP_URL: z.string().url().optional(),
  /** The From of outgoing mail; unset: lib/mailer.ts's DEFAULT_MAIL_FROM. */
  MAIL_FROM: z.string().optional(),
  /** Diagnostic: GET /metrics answers event-loop delay, RSS and database query count (lib/metrics.ts); keep it off in public. */
  METRICS: flag.default(false),
  /** Diagnostic, with METRICS: a file to which each POST's statement timeline is appended (lib/metrics.ts). */
  METRICS_TRACE: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; throws one readable error listing every bad setting. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
