// Shared by the service verbs: the tenant-scoped, locked read of services before a status change.
import type { Service } from "../../generated/prisma/client.ts";
import { notFound } from "../../graphql/errors.ts";
import type { MutationScope } from "../../lib/tx.ts";
import type { ActiveIncidentOnService } from "./domain.ts";

/**
 * Locks and reads live services of the mutation's organisation. Any id that is missing,
 * deleted or another tenant's makes the whole call NOT_FOUND.
 */
export async function lockLiveServices(m: MutationScope, ids: readonly string[]): Promise<Service[]> {
  await m.lock("Service", ids);
  const services = await m.tx.service.findMany({
    where: { id: { in: [...ids] }, organizationId: m.organizationId, deletedAt: null },
    orderBy: { id: "asc" },
  });
  if (services.length !== new Set(ids).size) throw notFound("Service");
  return services;
}

/** Writes a service's new status with its reason, and the event that tells everyone. */
export async function changeServiceStatus(
  m: MutationScope,
  service: Service,
  change: { status: Service["status"]; source: Service["statusSource"]; incidentId?: string | null; maintenanceId?: string | null },
): Promise<Service> {
  const updated = await m.tx.service.update({
    where: { id: service.id },
    data: {
      status: change.status,
      statusSource: change.source,
      statusIncidentId: change.incidentId ?? null,
      statusMaintenanceId: change.maintenanceId ?? null,
      ...(change.status !== service.status ? { statusSince: new Date() } : {}),
    },
  });
  if (change.status !== service.status) {
    m.emit({ kind: "SERVICE_STATUS_CHANGED", serviceId: service.id, serviceStatus: change.status, incidentId: change.incidentId ?? null, maintenanceId: change.maintenanceId ?? null });
  }
  return updated;
}

/** Active incidents on these services, optionally leaving one out (the one ending now). */
export async function activeIncidentsOn(m: MutationScope, serviceIds: readonly string[], except?: string): Promise<(ActiveIncidentOnService & { serviceId: string })[]> {
  const links = await m.tx.incidentService.findMany({
    where: {
      organizationId: m.organizationId,
      serviceId: { in: [...serviceIds] },
      ...(except ? { incidentId: { not: except } } : {}),
      incident: { resolvedAt: null, deletedAt: null },
    },
    include: { incident: { select: { createdAt: true } } },
  });
  return links.map((l) => ({ serviceId: l.serviceId, incidentId: l.incidentId, toStatus: l.toStatus, createdAt: l.incident.createdAt }));
}
