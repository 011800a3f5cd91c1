// One code path, two databases: PostgreSQL through @prisma/adapter-pg when a URL is given,
// the embedded PGlite under DATA_DIR otherwise (docs/adr/0003-two-databases-one-code-path.md).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import lockfile from "proper-lockfile";
import { PrismaClient } from "../generated/prisma/client.ts";
import { countQueries } from "./metrics.ts";
import { adoptQueryParsers } from "./pglite-parsers.ts";
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
  const prisma = new PrismaClient({ adapter: countQueries(new PrismaPg(pool)) });
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
  const prisma = new PrismaClient({ adapter: countQueries(new PrismaPGlite(adoptQueryParsers(pglite))) });
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

/**
 * PGlite is one process's database: a second process on the same directory would corrupt it.
 * The lock names its holder (pid and host): a lock whose holder died (a crash, SIGKILL) is taken
 * over at once instead of after the 15 s it takes to go stale, so a restart is not refused.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockPath = join(dir, "pglite.lock");
  const holderPath = join(dir, "pglite.holder");
  const take = async () => {
    const release = await lockfile.lock(dir, { lockfilePath: lockPath, stale: 15_000, update: 5_000 });
    writeFileSync(holderPath, JSON.stringify({ pid: process.pid, host: hostname() }));
    return release;
  };
  try {
    try {
      return await take();
    } catch (error) {
      if ((error as { code?: string }).code !== "ELOCKED" || !holderIsGone(holderPath)) throw error;
      rmSync(lockPath, { recursive: true, force: true });
      return await take();
    }
  } catch (error) {
    if ((error as { code?: string }).code === "ELOCKED") {
      throw new Error(
        `The embedded database in ${dir} is in use by another process. Stop it, or set DATA_DIR to another directory, or DATABASE_URL to share a PostgreSQL database between processes.`,
      );
    }
    throw error;
  }
}

/** True when the lock's holder was a process on this host that no longer runs. */
function holderIsGone(holderPath: string): boolean {
  let holder: { pid?: unknown; host?: unknown };
  try {
    holder = JSON.parse(readFileSync(holderPath, "utf8")) as { pid?: unknown; host?: unknown };
  } catch {
    return false; // no record of the holder: wait for the lock to go stale
  }
  if (typeof holder.pid !== "number" || holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false; // still running
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}
