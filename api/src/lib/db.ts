// One code path, two databases: PostgreSQL through @prisma/adapter-pg when a URL is given,
// the embedded PGlite under DATA_DIR otherwise (docs/adr/0003-two-databases-one-code-path.md).
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import lockfile from "proper-lockfile";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, pgliteMigrationTarget, pgMigrationTarget } from "./migrate.ts";

export type Prisma = InstanceType<typeof PrismaClient>;
export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  prisma: Prisma;
  kind: DatabaseKind;
  /** Throws when the database does not answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgresql://… ; unset selects PGlite. */
  url?: string | undefined;
  /** PGlite's home; "memory://" keeps everything in memory (tests). */
  dataDir: string;
  log?: (message: string) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.log) : openPglite(options.dataDir, options.log);
}

async function openPostgres(url: string, log?: (m: string) => void): Promise<Database> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await applyMigrations(pgMigrationTarget(client), undefined, log);
  } finally {
    await client.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server terminates (restart, failover, admin) is an 'error' on the
  // pool: without a listener it would crash the process. The pool replaces it on next use.
  pool.on("error", (error) => log?.(`database connection lost: ${error.message}`));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: "postgres",
    ping: async () => {
      await pool.query("select 1");
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

async function openPglite(dataDir: string, log?: (m: string) => void): Promise<Database> {
  const inMemory = dataDir.startsWith("memory://");
  let release: (() => Promise<void>) | undefined;
  let pglite: PGlite;
  if (inMemory) {
    pglite = new PGlite();
  } else {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    release = await lockDataDir(dir);
    pglite = new PGlite(join(dir, "pgdata"));
  }
  await pglite.waitReady;
  await applyMigrations(pgliteMigrationTarget(pglite), undefined, log);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    ping: async () => {
      await pglite.query("select 1");
    },
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      await release?.();
    },
  };
}

/** PGlite is one process's database: a second process on the same directory would corrupt it. */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dir, { lockfilePath: join(dir, "pglite.lock"), stale: 15_000, update: 5_000 });
  } catch (error) {
    if ((error as { code?: string }).code === "ELOCKED") {
      throw new Error(
        `The embedded database in ${dir} is in use by another process. Stop it, or set DATA_DIR to another directory, or DATABASE_URL to share a PostgreSQL database between processes.`,
      );
    }
    throw error;
  }
}
