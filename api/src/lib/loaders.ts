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

/** How each loader is made; made only when first asked for (createLoaders). */
const FACTORIES = {
  owners: (prisma: Prisma) => createOwnerLoaders(prisma),
  uptimeHistory: (prisma: Prisma) => createUptimeHistoryLoader(prisma),
  organization: (prisma: Prisma) => byId<Organization>((ids) => prisma.organization.findMany({ where: { id: { in: ids } } })),
  user: (prisma: Prisma) => byId<User>((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
  /** Includes deleted services: an incident's timeline still names what it affected. */
  service: (prisma: Prisma) => byId<Service>((ids) => prisma.service.findMany({ where: { id: { in: ids } } })),
  /** Includes deleted incidents: an INCIDENT_DELETED event still says which one. */
  incident: (prisma: Prisma) => byId<Incident>((ids) => prisma.incident.findMany({ where: { id: { in: ids } } })),
  maintenance: (prisma: Prisma) => byId<Maintenance>((ids) => prisma.maintenance.findMany({ where: { id: { in: ids } } })),
  incidentServices: (prisma: Prisma) => groupedBy<IncidentServiceWithService, "incidentId">("incidentId", (ids) =>
    prisma.incidentService.findMany({ where: { incidentId: { in: ids } }, include: { service: true }, orderBy: { service: { position: "asc" } } }),
  ),
  incidentUpdates: (prisma: Prisma) => groupedBy<IncidentUpdate, "incidentId">("incidentId", (ids) =>
    prisma.incidentUpdate.findMany({ where: { incidentId: { in: ids } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  ),
  activeIncidentsOfService: (prisma: Prisma) => new DataLoader<string, Incident[]>(async (serviceIds) => {
    const links = await prisma.incidentService.findMany({
      where: { serviceId: { in: [...serviceIds] }, incident: { resolvedAt: null, deletedAt: null } },
      include: { incident: true },
      orderBy: { incident: { createdAt: "desc" } },
    });
    return serviceIds.map((id) => links.filter((l) => l.serviceId === id).map((l) => l.incident));
  }),
  maintenanceServices: (prisma: Prisma) => new DataLoader<string, Service[]>(async (maintenanceIds) => {
    const links = await prisma.maintenanceService.findMany({
      where: { maintenanceId: { in: [...maintenanceIds] }, service: { deletedAt: null } },
      include: { service: true },
      orderBy: [{ service: { position: "asc" } }, { service: { name: "asc" } }],
    });
    return maintenanceIds.map((id) => links.filter((l) => l.maintenanceId === id).map((l) => l.service));
  }),
};

type Name = keyof typeof FACTORIES;
export type Loaders = { readonly [K in Name]: ReturnType<(typeof FACTORIES)[K]> };

/**
 * Each loader is made the first time it is read: every request and every subscription gets a
 * context with loaders, and most read through two or three of them (a live subscription through
 * none: it renders with the event's). Fifteen DataLoaders with their maps and closures were
 * about 7 KB per open subscription (docs/adr/0014). The getters live on the prototype, defined
 * once, so an unused set costs one small object.
 */
class LazyLoaders {
  readonly made: Partial<Record<Name, unknown>> = {};
  constructor(readonly prisma: Prisma) {}
}
for (const name of Object.keys(FACTORIES) as Name[]) {
  Object.defineProperty(LazyLoaders.prototype, name, {
    get(this: LazyLoaders) {
      return (this.made[name] ??= FACTORIES[name](this.prisma));
    },
  });
}

export function createLoaders(prisma: Prisma): Loaders {
  // The getters defined above make a LazyLoaders a Loaders; TypeScript cannot see them.
  return new LazyLoaders(prisma) as unknown as Loaders;
}
