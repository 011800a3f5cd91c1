// What a reader of the event log may see of the objects an event is about (docs/adr/0011).
// The log keeps every event forever, but an object is shown as it is now, and only when the
// reader could read it now through the rest of the schema:
//   - a deleted service or incident: nobody (Organization.service/incident and the status page
//     hide them too);
//   - a cancelled maintenance window: members only (Organization.maintenances(state: PAST));
//     the public page never shows one.
// Otherwise the reader learns only the id (StatusEvent.serviceId/incidentId/maintenanceId).
//
// The decision depends on the audience (the root field: statusPageEvents is "public",
// organizationEvents and Organization.events are "member") and on the object's row as read by
// the event's shared loaders — never on the socket — so one execution per event per selection
// (graphql/shared-execution.ts, keyed by schema and document) stays correct for everyone.
import type { Incident, Maintenance, Service } from "../../generated/prisma/client.ts";
import type { EventAudience } from "../../graphql/refs.ts";

export function visibleService(service: Service | null, _audience: EventAudience): Service | null {
  return service && !service.deletedAt ? service : null;
}

export function visibleIncident(incident: Incident | null, _audience: EventAudience): Incident | null {
  return incident && !incident.deletedAt ? incident : null;
}

export function visibleMaintenance(maintenance: Maintenance | null, audience: EventAudience): Maintenance | null {
  if (!maintenance) return null;
  if (audience === "public" && maintenance.status === "CANCELLED") return null;
  return maintenance;
}
