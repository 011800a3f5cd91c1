// The embedded database given the adapter's parsers once: every row reads as it did when the
// parsers came with each query, in and out of transactions, and other parsers still apply.
import { PGlite, type QueryOptions } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptQueryParsers } from "./pglite-parsers.ts";

// What the adapter does: one object, the same for every query (timestamps and int8 as text).
const adapterParsers: NonNullable<QueryOptions["parsers"]> = { 1114: (value: string) => `timestamp ${value}`, 20: (value: string) => `int8 ${value}` };
const asAdapter = { rowMode: "array" as const, parsers: adapterParsers };
const SQL = `SELECT '2026-12-04 10:00:00'::timestamp AS at, 42::int8 AS n, 'x'::text AS t, '{"a":1}'::jsonb AS j`;

describe("adoptQueryParsers", () => {
  let plain: PGlite;
  let adopted: PGlite;
  beforeAll(async () => {
    plain = new PGlite();
    adopted = adoptQueryParsers(new PGlite());
    await Promise.all([plain.waitReady, adopted.waitReady]);
  });
  afterAll(async () => {
    await Promise.all([plain.close(), adopted.close()]);
  });

  it("reads rows as the per-query parsers did", async () => {
    const expected = await plain.query(SQL, [], asAdapter);
    expect(expected.rows).toEqual([["timestamp 2026-12-04 10:00:00", "int8 42", "x", { a: 1 }]]);
    for (let i = 0; i < 3; i++) expect((await adopted.query(SQL, [], asAdapter)).rows).toEqual(expected.rows);
  });

  it("reads rows the same inside a transaction, which still commits and rolls back", async () => {
    await adopted.query("CREATE TABLE IF NOT EXISTS kept (at timestamp)");
    const rows = await adopted.transaction(async (tx) => {
      await tx.query("INSERT INTO kept VALUES ('2026-12-04 11:00:00')");
      expect(tx.closed).toBe(false);
      return (await tx.query("SELECT at FROM kept", [], asAdapter)).rows;
    });
    expect(rows).toEqual([["timestamp 2026-12-04 11:00:00"]]);
    await adopted.transaction(async (tx) => {
      await tx.query("INSERT INTO kept VALUES ('2026-12-04 12:00:00')");
      await tx.rollback();
    });
    expect((await adopted.query("SELECT count(*)::int AS n FROM kept")).rows).toEqual([{ n: 1 }]);
  });

  it("hands PGlite the adapter's parsers once, not with each query (whose copy of the table was the cost)", async () => {
    const db = new PGlite();
    const seen: (QueryOptions | undefined)[] = [];
    const query = db.query.bind(db);
    db.query = ((sql: string, params?: unknown[], options?: QueryOptions) => (sql === SQL && seen.push(options), query(sql, params, options))) as PGlite["query"];
    const wrapped = adoptQueryParsers(db);
    for (let i = 0; i < 3; i++) await wrapped.query(SQL, [], asAdapter);
    expect(seen.map((options) => options?.parsers)).toEqual([undefined, undefined, undefined]);
    expect(seen.map((options) => options?.rowMode)).toEqual(["array", "array", "array"]);
    await db.close();
  });

  it("still applies other parsers given with a query", async () => {
    await adopted.query(SQL, [], asAdapter);
    const other = { rowMode: "array" as const, parsers: { 25: (value: string) => value.toUpperCase() } };
    expect((await adopted.query(SQL, [], other)).rows).toEqual([["timestamp 2026-12-04 10:00:00", "int8 42", "X", { a: 1 }]]);
  });
});
