// Keyset pagination over an organisation's incidents, newest first.
import { NEWEST_FIRST, olderThan, page } from "../../graphql/pagination.ts";
import type { Prisma } from "../../lib/db.ts";

export type IncidentState = "ACTIVE" | "RESOLVED" | "ALL";

export async function listIncidents(prisma: Prisma, organizationId: string, args: { first: number; after?: string | null; state: IncidentState }) {
  const rows = await prisma.incident.findMany({
    where: {
      organizationId,
      deletedAt: null,
      ...(args.state === "ACTIVE" ? { resolvedAt: null } : args.state === "RESOLVED" ? { resolvedAt: { not: null } } : {}),
      ...olderThan(args.after),
    },
    orderBy: NEWEST_FIRST,
    take: args.first + 1,
  });
  return page(rows, args.first);
}
