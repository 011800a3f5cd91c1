// The integration test kit: boots the real app (buildApp) on a fresh database of its own —
// PGlite in memory by default, a new PostgreSQL database when TEST_DATABASE_URL is set —
// and talks GraphQL to it over HTTP like any client.
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { buildApp, type App } from "../src/app.ts";
import type { AppConfig } from "../src/config.ts";
import { scratchDatabase } from "../../scripts/lib/scratch-database.ts";

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface TestApp {
  url: string;
  app: App;
  config: AppConfig;
  /** POST /graphql (or `endpoint`) with an optional bearer token. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: { token?: string | undefined; endpoint?: string }): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** A fresh PostgreSQL database for one suite, dropped afterwards; null when running on PGlite. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = process.env.TEST_DATABASE_URL;
  return base ? scratchDatabase(base, "t") : null;
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir: "memory://",
    production: false,
    demo: false,
    logLevel: "silent",
    sessionTtlSeconds: 3600,
    publicRateLimit: 0,
    trustProxy: false,
    // Suites open many connections from 127.0.0.1 on a busy machine: the cap and the load
    // shedding have their own tests (http-hardening.test.ts).
    maxConnectionsPerIp: 0,
    loadShedLagMs: 0,
    // Suites sign up many users from 127.0.0.1; the throttle has its own test.
    authRateLimit: 0,
    // The same for the subscription mutations; subscribers.test.ts tests their limit.
    subscribeRateLimit: 0,
    jwtSecret: "test-secret-test-secret-test-secret-0123456789",
    ...overrides,
  };
}

export async function startTestApp(overrides: Partial<AppConfig> = {}, options: Omit<Parameters<typeof buildApp>[1] & object, "logger"> = {}): Promise<TestApp> {
  // A given dataDir or databaseUrl means "this store" (a restart, a second instance).
  const database = overrides.dataDir || overrides.databaseUrl ? null : await freshPostgres();
  const config = testConfig({ databaseUrl: database?.url, ...overrides });
  const app = await buildApp(config, { ...options, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }) });
  const url = await app.start();
  return {
    url,
    app,
    config,
    async gql(query, variables, options = {}) {
      const response = await fetch(url + (options.endpoint ?? "/graphql"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GqlResult, "status">;
      return { status: response.status, ...body } as GqlResult<never>;
    },
    async stop() {
      await app.stop();
      await database?.drop();
    },
  };
}

/** The error code of the first error, for terse assertions. */
export function codeOf(result: GqlResult<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

/** Fails with the errors when a call that should succeed did not. */
export function ok<T>(result: GqlResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}
