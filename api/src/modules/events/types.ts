// The durable event log as a list (Organization.events). The subscriptions of the realtime
// issue deliver the same StatusEvent type. What a reader sees of deleted objects: visibility.ts.
import { z } from "zod";
import { builder } from "../../graphql/builder.ts";
import { IncidentRef, MaintenanceRef, OrganizationRef, ServiceRef, ServiceStatusEnum, StatusEventKindEnum, StatusEventRef } from "../../graphql/refs.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { visibleIncident, visibleMaintenance, visibleService } from "./visibility.ts";

StatusEventRef.implement({
  description:
    "One change in an organisation, in log order. service, incident and maintenance are the objects as they are now, not as they were, " +
    "and only when the reader could read them now: a deleted service or incident is null for everyone, and on statusPageEvents a cancelled " +
    "maintenance window is null too. serviceId, incidentId and maintenanceId always say which object the event is about, so a reader " +
    "still learns what was deleted — its id and the event's kind, never its content.",
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
    serviceId: t.id({
      nullable: true,
      description: "The id of the service the event is about, also when the service has since been deleted.",
      resolve: (e) => e.serviceId,
    }),
    incidentId: t.id({
      nullable: true,
      description: "The id of the incident the event is about, also when the incident has since been deleted.",
      resolve: (e) => e.incidentId,
    }),
    maintenanceId: t.id({
      nullable: true,
      description: "The id of the maintenance window the event is about, also when it has since been cancelled.",
      resolve: (e) => e.maintenanceId,
    }),
    service: t.field({
      type: ServiceRef,
      nullable: true,
      description: "The service as it is now; null when there is none or it has been deleted (serviceId still names it).",
      resolve: async (e, _, ctx) => (e.serviceId ? visibleService(await ctx.loaders.service.load(e.serviceId), e.audience) : null),
    }),
    incident: t.field({
      type: IncidentRef,
      nullable: true,
      description: "The incident as it is now; null when there is none or it has been deleted (incidentId still names it).",
      resolve: async (e, _, ctx) => (e.incidentId ? visibleIncident(await ctx.loaders.incident.load(e.incidentId), e.audience) : null),
    }),
    maintenance: t.field({
      type: MaintenanceRef,
      nullable: true,
      description:
        "The maintenance window as it is now; null when there is none, and on statusPageEvents when it has been cancelled (maintenanceId still names it).",
      resolve: async (e, _, ctx) => (e.maintenanceId ? visibleMaintenance(await ctx.loaders.maintenance.load(e.maintenanceId), e.audience) : null),
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
      ctx.prisma.event
        .findMany({
          where: { organizationId: org.id, ...(args.after ? { position: { gt: decodeCursor(args.after) } } : {}) },
          orderBy: { position: "asc" },
          take: args.first ?? 100,
        })
        .then((events) => events.map((event) => ({ ...event, audience: "member" as const }))),
  }),
}));
