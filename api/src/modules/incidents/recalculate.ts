// What happens to an incident's services when it stops being active (resolved or deleted).
import type { Incident } from "../../generated/prisma/client.ts";
import { notFound } from "../../graphql/errors.ts";
import type { MutationScope } from "../../lib/tx.ts";
import { statusAfterIncidentEnds } from "../services/domain.ts";
import { activeIncidentsOn, changeServiceStatus, lockLiveServices } from "../services/verbs.ts";

/** Recalculates each live service the incident affected, from the other active incidents. */
export async function recalculateAfterIncident(m: MutationScope, incidentId: string): Promise<void> {
  const links = await m.tx.incidentService.findMany({
    where: { incidentId, service: { deletedAt: null } },
    select: { serviceId: true },
  });
  const serviceIds = links.map((l) => l.serviceId);
  if (serviceIds.length === 0) return;
  const services = await lockLiveServices(m, serviceIds);
  const others = await activeIncidentsOn(m, serviceIds, incidentId);
  for (const service of services) {
    const next = statusAfterIncidentEnds(service.status, others.filter((o) => o.serviceId === service.id));
    if (next) await changeServiceStatus(m, service, { status: next.status, source: next.source, incidentId: next.incidentId });
  }
}

/**
 * Locks the incident row and reads it. The caller's scope check ran before the lock, so a
 * concurrent delete may have committed since: that is NOT_FOUND, like any deleted incident.
 */
export async function lockIncident(m: MutationScope, id: string) {
  const [incident] = await m.lockLive<Incident>("Incident", [id]);
  if (!incident) throw notFound("Incident");
  return incident;
}
