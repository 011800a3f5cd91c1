// Keyset cursors for lists ordered newest first by (createdAt, id): stable under inserts.
import { badInput } from "./errors.ts";

export interface Keyed {
  createdAt: Date;
  id: string;
}

export function encodeKey(row: Keyed): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

/**
 * The key inside a cursor. Only exactly what encodeKey writes is accepted (a canonical
 * toISOString of a year 1..9999 and an id of letters, digits, "-" or "_"), so a forged cursor
 * is BAD_USER_INPUT here and never reaches the database as a year 0 or a NUL.
 */
export function decodeKey(cursor: string, field = "after"): Keyed {
  const refused = () => badInput("This cursor is not one the server handed out.", field);
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw refused();
  const [iso = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString().split("|");
  if (rest.length > 0 || !/^[\w-]{1,64}$/.test(id) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)) throw refused();
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso || createdAt.getUTCFullYear() < 1) throw refused();
  return { createdAt, id };
}

/** The Prisma `where` for rows after `cursor` in newest-first order. */
export function olderThan(cursor: string | null | undefined) {
  if (!cursor) return {};
  const key = decodeKey(cursor);
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/**
 * One page of a newest-first list: `fetch` is handed the keyset condition after `after`, the
 * order and first+1 as the size (so the page knows whether another follows).
 */
export async function newestFirstPage<T extends Keyed>(
  args: { first?: number | null | undefined; after?: string | null | undefined },
  defaultFirst: number,
  fetch: (window: { where: ReturnType<typeof olderThan>; orderBy: typeof NEWEST_FIRST; take: number }) => Promise<T[]>,
) {
  const first = args.first ?? defaultFirst;
  return page(await fetch({ where: olderThan(args.after), orderBy: NEWEST_FIRST, take: first + 1 }), first);
}

/** Fetches first+1 rows so the page knows whether another follows. */
export function page<T extends Keyed>(rows: T[], first: number) {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeKey(last) : null };
}
