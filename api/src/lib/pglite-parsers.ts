// pglite-prisma-adapter hands PGlite its type parsers with every query, and PGlite then copies
// its whole parser table (318 entries, by type id) into a new object for that one query:
// measured ~120 µs and ~96 KB of garbage per query, about half of everything a mutation
// allocated on the embedded database (so half its scavenges) and 6 % of its CPU. The adapter
// always passes the same object, so PGlite is given those parsers once, in its own table, and
// the queries that carry them go through without them: every row is parsed exactly as before.
import type { PGlite, QueryOptions, Transaction } from "@electric-sql/pglite";

type Parsers = NonNullable<QueryOptions["parsers"]>;

export function adoptQueryParsers(pglite: PGlite): PGlite {
  let adopted: Parsers | undefined;
  const strip = (options: QueryOptions | undefined): QueryOptions | undefined => {
    const parsers = options?.parsers;
    if (parsers === undefined) return options;
    if (adopted === undefined) {
      // Into PGlite's own table (not in its typings), read by every query; looked up now, at the
      // first query, when PGlite has finished building it from the database's types.
      Object.assign((pglite as unknown as { parsers: Parsers }).parsers, parsers);
      adopted = parsers;
    }
    if (parsers !== adopted) return options; // some other parsers: PGlite merges them per query
    const { parsers: _, ...rest } = options!;
    return rest;
  };
  const query = pglite.query.bind(pglite);
  const transaction = pglite.transaction.bind(pglite);
  Object.assign(pglite, {
    query: (sql: string, params?: unknown[], options?: QueryOptions) => query(sql, params, strip(options)),
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      // the same transaction with only its query wrapped (its `closed` getter and the rest stay live)
      transaction((tx) => work(Object.create(tx, { query: { value: (sql: string, params?: unknown[], options?: QueryOptions) => tx.query(sql, params, strip(options)) } }) as Transaction)),
  });
  return pglite;
}
