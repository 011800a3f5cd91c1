// Reads the status history and the incidents uptimeDays needs for a batch of services in three
// queries (the public page lists every service's uptime: one query per service would not do).
// A published page reads it once per build (published-pages.ts) and primes each request with it.
import DataLoader from "dataloader";
import type { Service } from "../../generated/prisma/client.ts";
import { Prisma as Sql } from "../../generated/prisma/client.ts";
import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import { MAX_UPTIME_DAYS, type IncidentSpan, type StatusChange } from "./uptime.ts";

export interface StatusHistory {
  /** When the window of MAX_UPTIME_DAYS opens; uptimeDays narrows it further by `days`. */
  windowStart: Date;
  statusAtStart: ServiceStatus;
  changes: StatusChange[];
  /** The service's incidents open at some point of the window (not deleted), oldest first. */
  incidents: IncidentSpan[];
}

/** A bound on the incidents read per batch: a day lists what fits, the page stays small. */
const MAX_INCIDENTS = 5_000;

export function createUptimeHistoryLoader(prisma: Prisma) {
  return new DataLoader<Service, StatusHistory, string>(
    async (services) => {
      const now = Date.now();
      const windowStart = new Date(Math.floor(now / 86_400_000) * 86_400_000 - (MAX_UPTIME_DAYS - 1) * 86_400_000);
      const ids = services.map((s) => s.id);
      const organizationIds = [...new Set(services.map((s) => s.organizationId))];
      const [changes, before, incidentLinks] = await Promise.all([
        prisma.event.findMany({
          where: { organizationId: { in: organizationIds }, serviceId: { in: ids }, kind: "SERVICE_STATUS_CHANGED", occurredAt: { gte: windowStart } },
          orderBy: [{ occurredAt: "asc" }, { position: "asc" }],
          select: { serviceId: true, occurredAt: true, serviceStatus: true },
        }),
        // The last change before the window, per service: the status in force when it opens.
        prisma.$queryRaw<{ serviceId: string; serviceStatus: ServiceStatus }[]>`
          SELECT DISTINCT ON ("serviceId") "serviceId", "serviceStatus"::text AS "serviceStatus"
          FROM "Event"
          WHERE "organizationId" IN (${Sql.join(organizationIds)}) AND "serviceId" IN (${Sql.join(ids)})
            AND kind = 'SERVICE_STATUS_CHANGED' AND "occurredAt" < ${windowStart}
          ORDER BY "serviceId", "occurredAt" DESC, position DESC`,
        prisma.incidentService.findMany({
          where: {
            organizationId: { in: organizationIds },
            serviceId: { in: ids },
            incident: { deletedAt: null, OR: [{ resolvedAt: null }, { resolvedAt: { gte: windowStart } }] },
          },
          orderBy: [{ incident: { createdAt: "asc" } }, { incidentId: "asc" }],
          select: { serviceId: true, incident: { select: { id: true, createdAt: true, resolvedAt: true } } },
          take: MAX_INCIDENTS,
        }),
      ]);
      const startStatus = new Map(before.map((row) => [row.serviceId, row.serviceStatus]));
      return services.map((service) => ({
        windowStart,
        // A service starts OPERATIONAL; without an earlier change that is still its status.
        statusAtStart: startStatus.get(service.id) ?? "OPERATIONAL",
        changes: changes
          .filter((c) => c.serviceId === service.id && c.serviceStatus !== null)
          .map((c) => ({ at: c.occurredAt, status: c.serviceStatus! })),
        incidents: incidentLinks.filter((link) => link.serviceId === service.id).map((link) => link.incident),
      }));
    },
    { cacheKeyFn: (service) => service.id },
  );
}
