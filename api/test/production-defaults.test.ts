// Production defaults (docs/adr/0010): no demo accounts in production unless DEMO=1, no start
// without JWT_SECRET in production (refused before the database is created or migrated), and
// outside production the generated secret lives in the database, so instances sharing it agree.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { configFromEnv } from "../src/config.ts";
import { readEnv } from "../src/env.ts";
import { DEVELOPMENT_SECRET_KEY } from "../src/modules/auth/sessions.ts";
import { signUp } from "./fixtures.ts";
import { codeOf, freshPostgres, ok, startTestApp, testConfig } from "./harness.ts";

const SECRET = "production-secret-production-secret-0123456789";
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "statuspage-prod-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const silent = () => pino({ level: "silent" });
const VIEWER = `{ viewer { id } }`;

describe("demo data by default", () => {
  it("is on with the embedded database outside production only; DEMO=1 is explicit everywhere", () => {
    expect(configFromEnv(readEnv({})).demo).toBe(true);
    expect(configFromEnv(readEnv({ NODE_ENV: "production", JWT_SECRET: SECRET })).demo).toBe(false);
    expect(configFromEnv(readEnv({ NODE_ENV: "production", JWT_SECRET: SECRET, DEMO: "1" })).demo).toBe(true);
    expect(configFromEnv(readEnv({ DATABASE_URL: "postgresql://db.example/statuspage" })).demo).toBe(false);
    expect(configFromEnv(readEnv({ DEMO: "0" })).demo).toBe(false);
  });

  it("a production start on the embedded database has no demo logins", async () => {
    const dataDir = freshDir();
    const config = { ...configFromEnv(readEnv({ NODE_ENV: "production", JWT_SECRET: SECRET, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" })) };
    // No load shedding either (production turns it on): a loaded CI machine would shed this login.
    const t = await startTestApp({ ...config, publicRateLimit: 0, authRateLimit: 0, loadShedLagMs: 0 });
    try {
      const login = await t.gql(`mutation { logIn(input: { email: "admin@dance.example", password: "demo-password" }) { token } }`);
      expect(codeOf(login)).toBe("UNAUTHENTICATED");
      expect(ok(await t.gql<{ statusPage: unknown }>(`{ statusPage(slug: "dance") { organization { slug } } }`, {}, { endpoint: "/graphql/public" })).statusPage).toBeNull();
    } finally {
      await t.stop();
    }
  });
});

describe("production without JWT_SECRET", () => {
  it("is refused with a clear message before the embedded database is created", async () => {
    const dataDir = join(freshDir(), "data");
    await expect(buildApp(testConfig({ production: true, jwtSecret: undefined, dataDir }), { logger: silent() })).rejects.toThrow(/JWT_SECRET is required when NODE_ENV=production/);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });

  it.runIf(process.env.TEST_DATABASE_URL)("is refused before a PostgreSQL database is migrated", async () => {
    const database = (await freshPostgres())!;
    try {
      await expect(buildApp(testConfig({ production: true, jwtSecret: undefined, databaseUrl: database.url }), { logger: silent() })).rejects.toThrow(/JWT_SECRET/);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      await client.end();
      expect(tables.rows).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  it("starts with JWT_SECRET", async () => {
    const t = await startTestApp({ production: true, dataDir: freshDir() });
    await t.stop();
  });
});

describe("the development secret", () => {
  it("is kept in the database, not in DATA_DIR, and survives a restart", async () => {
    const dataDir = freshDir();
    const first = await startTestApp({ dataDir, jwtSecret: undefined });
    const owner = await signUp(first);
    const stored = await first.app.services.db.prisma.appSetting.findUnique({ where: { key: DEVELOPMENT_SECRET_KEY } });
    await first.stop();
    expect(stored?.value.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(dataDir, "jwt-secret"))).toBe(false);

    const second = await startTestApp({ dataDir, jwtSecret: undefined });
    try {
      expect(ok(await second.gql<{ viewer: { id: string } }>(VIEWER, {}, { token: owner.token })).viewer.id).toBe(owner.userId);
    } finally {
      await second.stop();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)("is the same for two instances started together on one PostgreSQL database", async () => {
    const database = (await freshPostgres())!;
    const [one, two] = await Promise.all([
      startTestApp({ databaseUrl: database.url, jwtSecret: undefined }),
      startTestApp({ databaseUrl: database.url, jwtSecret: undefined }),
    ]);
    try {
      const a = await signUp(one);
      const b = await signUp(two);
      expect(ok(await two.gql<{ viewer: { id: string } }>(VIEWER, {}, { token: a.token })).viewer.id).toBe(a.userId);
      expect(ok(await one.gql<{ viewer: { id: string } }>(VIEWER, {}, { token: b.token })).viewer.id).toBe(b.userId);
      const rows = await one.app.services.db.prisma.appSetting.count({ where: { key: DEVELOPMENT_SECRET_KEY } });
      expect(rows).toBe(1);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
      await database.drop();
    }
  });

  it("is not used when JWT_SECRET is set: a token of another secret is UNAUTHENTICATED", async () => {
    const dataDir = freshDir();
    const generated = await startTestApp({ dataDir, jwtSecret: undefined });
    const owner = await signUp(generated);
    await generated.stop();
    const configured = await startTestApp({ dataDir });
    try {
      expect(codeOf(await configured.gql(VIEWER, {}, { token: owner.token }))).toBe("UNAUTHENTICATED");
    } finally {
      await configured.stop();
    }
  });
});
