// Keyset cursors for lists ordered newest first by (createdAt, id): stable under inserts.
import { badInput } from "./errors.ts";

export interface Keyed {
  createdAt: Date;
  id: string;
}

export function encodeKey(row: Keyed): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

export function decodeKey(cursor: string, field = "after"): Keyed {
  const [iso, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) throw badInput("This cursor is not one the server handed out.", field);
  return { createdAt, id };
}

/** The Prisma `where` for rows after `cursor` in newest-first order. */
export function olderThan(cursor: string | null | undefined) {
  if (!cursor) return {};
  const key = decodeKey(cursor);
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** Fetches first+1 rows so the page knows whether another follows. */
export function page<T extends Keyed>(rows: T[], first: number) {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeKey(last) : null };
}
