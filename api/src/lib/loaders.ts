// Per-request DataLoaders: lists resolve their children in one query per level, not per row.
// They read without tenant filters on purpose: everything handed to them was reached through
// an organisation the viewer may see (or the public page), and ids never cross tenants.
import DataLoader from "dataloader";
import type { Incident, IncidentService, IncidentUpdate, Maintenance, Organization, Service, User } from "../generated/prisma/client.ts";
import { createOwnerLoaders } from "../graphql/owners.ts";
import { createUptimeHistoryLoader } from "../modules/services/uptime-history.ts";
import type { Prisma } from "./db.ts";

function byId<T extends { id: string }>(fetch: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const map = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function groupedBy<T, K extends keyof T>(key: K, fetch: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T[]>(async (ids) => {
    const rows = await fetch([...ids]);
    const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
    for (const row of rows) groups.get(row[key] as string)?.push(row);
    return ids.map((id) => groups.get(id) ?? []);
  });
}

export type IncidentServiceWithService = IncidentService & { service: Service };

export function createLoaders(prisma: Prisma) {
  return {
    owners: createOwnerLoaders(prisma),
    uptimeHistory: createUptimeHistoryLoader(prisma),
    organization: byId<Organization>((ids) => prisma.organization.findMany({ where: { id: { in: ids } } })),
    user: byId<User>((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
    /** Includes deleted services: an incident's timeline still names what it affected. */
    service: byId<Service>((ids) => prisma.service.findMany({ where: { id: { in: ids } } })),
    /** Includes deleted incidents: an INCIDENT_DELETED event still says which one. */
    incident: byId<Incident>((ids) => prisma.incident.findMany({ where: { id: { in: ids } } })),
    maintenance: byId<Maintenance>((ids) => prisma.maintenance.findMany({ where: { id: { in: ids } } })),
    incidentServices: groupedBy<IncidentServiceWithService, "incidentId">("incidentId", (ids) =>
      prisma.incidentService.findMany({ where: { incidentId: { in: ids } }, include: { service: true }, orderBy: { service: { position: "asc" } } }),
    ),
    incidentUpdates: groupedBy<IncidentUpdate, "incidentId">("incidentId", (ids) =>
      prisma.incidentUpdate.findMany({ where: { incidentId: { in: ids } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    ),
    activeIncidentsOfService: new DataLoader<string, Incident[]>(async (serviceIds) => {
      const links = await prisma.incidentService.findMany({
        where: { serviceId: { in: [...serviceIds] }, incident: { resolvedAt: null, deletedAt: null } },
        include: { incident: true },
        orderBy: { incident: { createdAt: "desc" } },
      });
      return serviceIds.map((id) => links.filter((l) => l.serviceId === id).map((l) => l.incident));
    }),
    maintenanceServices: new DataLoader<string, Service[]>(async (maintenanceIds) => {
      const links = await prisma.maintenanceService.findMany({
        where: { maintenanceId: { in: [...maintenanceIds] }, service: { deletedAt: null } },
        include: { service: true },
        orderBy: [{ service: { position: "asc" } }, { service: { name: "asc" } }],
      });
      return maintenanceIds.map((id) => links.filter((l) => l.maintenanceId === id).map((l) => l.service));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
