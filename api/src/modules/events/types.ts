// The durable event log as a list (Organization.events). The subscriptions of the realtime
// issue deliver the same StatusEvent type.
import { z } from "zod";
import { builder } from "../../graphql/builder.ts";
import { IncidentRef, MaintenanceRef, OrganizationRef, ServiceRef, ServiceStatusEnum, StatusEventKindEnum, StatusEventRef } from "../../graphql/refs.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

StatusEventRef.implement({
  description: "One change in an organisation, in log order. The objects are as they are now, not as they were.",
  subGraphs: ["Admin", "Public"],
  fields: (t) => ({
    cursor: t.string({ description: "Opaque; strictly increasing per organisation. Resume with after: <cursor>.", resolve: (e) => encodeCursor(e.position) }),
    kind: t.field({ type: StatusEventKindEnum, resolve: (e) => e.kind }),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
    serviceStatus: t.field({
      type: ServiceStatusEnum,
      nullable: true,
      description: "For SERVICE_STATUS_CHANGED: the status the service entered with this event (service.status is its status now).",
      resolve: (e) => e.serviceStatus,
    }),
    service: t.field({ type: ServiceRef, nullable: true, resolve: (e, _, ctx) => (e.serviceId ? ctx.loaders.service.load(e.serviceId) : null) }),
    incident: t.field({ type: IncidentRef, nullable: true, resolve: (e, _, ctx) => (e.incidentId ? ctx.loaders.incident.load(e.incidentId) : null) }),
    maintenance: t.field({
      type: MaintenanceRef,
      nullable: true,
      resolve: (e, _, ctx) => (e.maintenanceId ? ctx.loaders.maintenance.load(e.maintenanceId) : null),
    }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  events: t.field({
    type: [StatusEventRef],
    description: "The event log, oldest first, after the given cursor (from the start without one).",
    args: {
      after: t.arg.string({ required: false }),
      first: t.arg.int({ required: false, defaultValue: 100, validate: z.number().int().min(1).max(500) }),
    },
    resolve: (org, args, ctx) =>
      ctx.prisma.event.findMany({
        where: { organizationId: org.id, ...(args.after ? { position: { gt: decodeCursor(args.after) } } : {}) },
        orderBy: { position: "asc" },
        take: args.first ?? 100,
      }),
  }),
}));
