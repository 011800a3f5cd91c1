import type { Context } from "../../context.ts";
import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import { actorOf } from "../auth/viewer.ts";
import { worsenByIncident } from "../services/domain.ts";
import { changeServiceStatus, lockLiveServices } from "../services/verbs.ts";

export interface CreateIncidentInput {
  serviceIds: string[];
  title: string;
  message: string;
  impact: ServiceStatus;
}

/**
 * Opens an incident across one or more services. Each service's status is read under lock,
 * must get strictly worse (the status rules), and is recorded as fromStatus -> toStatus.
 * If any service refuses, nothing changes.
 */
export async function createIncident({ ctx, input, organizationId }: { ctx: Context; input: CreateIncidentInput; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const services = await lockLiveServices(m, input.serviceIds);
    const changes = services.map((service) => ({ service, toStatus: worsenByIncident(service.status, input.impact) }));
    const incident = await m.tx.incident.create({
      data: {
        organizationId,
        title: input.title,
        services: { create: changes.map((c) => ({ organizationId, serviceId: c.service.id, fromStatus: c.service.status, toStatus: c.toStatus })) },
        updates: { create: { organizationId, status: "INVESTIGATING", message: input.message } },
      },
    });
    m.emit({ kind: "INCIDENT_CREATED", incidentId: incident.id });
    for (const c of changes) await changeServiceStatus(m, c.service, { status: c.toStatus, source: "INCIDENT", incidentId: incident.id });
    m.audit("incident.create", incident.id);
    return incident;
  });
}
