// Everything the public files (Statuspage JSON, feeds, badge) show of one page, read in a few
// queries. Deleted services and incidents are left out, as on the status page.
import type { Incident, IncidentService, IncidentUpdate, Maintenance, Organization, Service } from "../../generated/prisma/client.ts";
import type { Prisma } from "../../lib/db.ts";
import { pageStatusOf } from "../orgs/page-status.ts";

export type IncidentWithTimeline = Incident & { services: (IncidentService & { service: Service })[]; updates: IncidentUpdate[] };
export type MaintenanceWithServices = Maintenance & { services: { service: Service }[] };

export interface PublicPage {
  organization: Organization;
  status: Awaited<ReturnType<typeof pageStatusOf>>;
  services: Service[];
  /** Unresolved first, then resolved, newest first; at most 50. */
  incidents: IncidentWithTimeline[];
  /** Scheduled and in progress, soonest first, then the last finished ones. */
  maintenances: MaintenanceWithServices[];
}

const INCIDENT_INCLUDE = {
  services: { include: { service: true } },
  updates: { orderBy: [{ createdAt: "asc" as const }, { id: "asc" as const }] },
};

export async function loadPublicPage(prisma: Prisma, slug: string): Promise<PublicPage | null> {
  const organization = await prisma.organization.findUnique({ where: { slug } });
  if (!organization) return null;
  const organizationId = organization.id;
  const [status, services, incidents, maintenances] = await Promise.all([
    pageStatusOf(prisma, organization),
    prisma.service.findMany({ where: { organizationId, deletedAt: null }, orderBy: [{ position: "asc" }, { name: "asc" }] }),
    prisma.incident.findMany({
      where: { organizationId, deletedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 50,
      include: INCIDENT_INCLUDE,
    }),
    prisma.maintenance.findMany({
      where: { organizationId, status: { in: ["SCHEDULED", "IN_PROGRESS", "COMPLETED"] } },
      orderBy: [{ scheduledStart: "desc" }],
      take: 50,
      include: { services: { include: { service: true } } },
    }),
  ]);
  return { organization, status, services, incidents, maintenances };
}
