// Applies the committed SQL migrations under prisma/migrations at start: one transaction
// each, recorded in _migrations, under an advisory lock on PostgreSQL so that two instances
// starting together never migrate at once (the second waits, then finds nothing to do).
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

interface Queryable {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface MigrationTarget extends Queryable {
  /** Runs fn inside BEGIN/COMMIT (ROLLBACK on error). */
  transaction(fn: (tx: Queryable) => Promise<void>): Promise<void>;
  /** PostgreSQL: a session-level advisory lock; PGlite: nothing (one process owns it). */
  lock(): Promise<void>;
  unlock(): Promise<void>;
}

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");
const LOCK_KEY = 7_245_019_311; // any fixed bigint; the same in every instance

export async function applyMigrations(target: MigrationTarget, dir = DEFAULT_DIR, log: (msg: string) => void = () => {}): Promise<string[]> {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
  await target.lock();
  try {
    await target.exec(`CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await target.query<{ name: string }>(`SELECT name FROM _migrations`)).map((row) => row.name));
    const done: string[] = [];
    for (const name of names) {
      if (applied.has(name)) continue;
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      await target.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query(`INSERT INTO _migrations (name) VALUES ($1)`, [name]);
      });
      log(`applied migration ${name}`);
      done.push(name);
    }
    return done;
  } finally {
    await target.unlock();
  }
}

export function pgMigrationTarget(client: pg.Client): MigrationTarget {
  const q: Queryable = {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  };
  return {
    ...q,
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        await fn(q);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
    lock: async () => {
      await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    },
    unlock: async () => {
      await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    },
  };
}

export function pgliteMigrationTarget(db: PGlite): MigrationTarget {
  const wrap = (conn: Pick<PGlite, "exec" | "query">): Queryable => ({
    exec: async (sql) => {
      await conn.exec(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await conn.query<T>(sql, params)).rows,
  });
  return {
    ...wrap(db),
    transaction: async (fn) => {
      await db.transaction(async (tx) => fn(wrap(tx)));
    },
    lock: async () => {},
    unlock: async () => {},
  };
}
