// Shared by the service verbs: the tenant-scoped, locked read of services before a status change.
import type { Service } from "../../generated/prisma/client.ts";
import { conflict, notFound } from "../../graphql/errors.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import type { MutationScope } from "../../lib/tx.ts";
import { groupSpelling, sameServiceName, type ActiveIncidentOnService } from "./domain.ts";

/**
 * Locks and reads live services of the mutation's organisation. Any id that is missing,
 * deleted or another tenant's makes the whole call NOT_FOUND.
 */
export async function lockLiveServices(m: MutationScope, ids: readonly string[]): Promise<Service[]> {
  const services = await m.lockLive<Service>("Service", ids);
  if (services.length !== new Set(ids).size) throw notFound("Service");
  return services;
}

type StatusChange = { status: Service["status"]; source: Service["statusSource"]; incidentId?: string | null; maintenanceId?: string | null };

/** Writes a service's new status with its reason, and the event that tells everyone. */
export async function changeServiceStatus(m: MutationScope, service: Service, change: StatusChange): Promise<Service> {
  return await m.tx.service.update({ where: { id: service.id }, data: announceStatusChange(m, service, change, new Date()) });
}

/**
 * changeServiceStatus as the mutation's last write (MutationScope.finishWith): call it after
 * audit(). A new status's statusSince is the time of its event.
 */
export function finishWithServiceStatus(m: MutationScope, service: Service, change: StatusChange): Service {
  const at = new Date();
  return m.finishWith("Service", service, announceStatusChange(m, service, change, at), at);
}

/** Emits the event of a new status, and returns the columns the change writes. */
function announceStatusChange(m: MutationScope, service: Service, change: StatusChange, at: Date) {
  if (change.status !== service.status) {
    m.emit({ kind: "SERVICE_STATUS_CHANGED", serviceId: service.id, serviceStatus: change.status, incidentId: change.incidentId ?? null, maintenanceId: change.maintenanceId ?? null });
  }
  return {
    status: change.status,
    statusSource: change.source,
    statusIncidentId: change.incidentId ?? null,
    statusMaintenanceId: change.maintenanceId ?? null,
    ...(change.status !== service.status ? { statusSince: at } : {}),
  };
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

const duplicateName = (name: string) => conflict(`There is already a service called “${name}”: choose another name.`, "name");

/**
 * Refuses a name another live service of the organisation has (case aside), and gives a group
 * the spelling it already has there. The unique index (migration unique_service_names) is the
 * net for two writers at once: see `refuseDuplicateName`.
 */
export async function placeService(m: MutationScope, input: { name?: string | null; group?: string | null }, self?: string): Promise<{ group?: string | null }> {
  const others = await m.tx.service.findMany({
    where: { organizationId: m.organizationId, deletedAt: null, ...(self ? { id: { not: self } } : {}) },
    select: { name: true, group: true },
    orderBy: [{ position: "asc" }, { name: "asc" }],
  });
  const taken = input.name != null ? others.find((other) => sameServiceName(other.name, input.name!)) : undefined;
  if (taken) throw duplicateName(input.name!);
  if (input.group == null) return input.group === undefined ? {} : { group: null };
  return { group: groupSpelling(input.group, others.map((other) => other.group)) };
}

/** A unique violation on a service write is its name (the only unique rule of a live service besides its id). */
export function refuseDuplicateName(error: unknown, name: string | null | undefined): never {
  if (name != null && isUniqueViolation(error) !== null) throw duplicateName(name);
  throw error;
}
