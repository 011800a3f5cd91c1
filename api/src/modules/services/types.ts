// The Service type (public), its status source, and the admin mutations on services.
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { IncidentRef, MaintenanceRef, OrganizationRef, ServiceRef, ServiceStatusEnum, StatusSourceKindEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { createService } from "./create-service.ts";
import { deleteService } from "./delete-service.ts";
import { setServiceStatus } from "./set-service-status.ts";
import { updateService } from "./update-service.ts";
import { MAX_UPTIME_DAYS, uptimeDays, type UptimeDay } from "./uptime.ts";
import { z } from "zod";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

const UptimeDayRef = builder.objectRef<UptimeDay>("UptimeDay").implement({
  description: "A service's day: how much of it the service was up, the worst status it had, and the incidents that affected it.",
  ...everywhere,
  fields: (t) => ({
    date: t.exposeString("date", { description: "YYYY-MM-DD (UTC)." }),
    operationalRatio: t.exposeFloat("operationalRatio", {
      description: "Share (0 to 1) of the observed part of the day without degradation or outage; maintenance counts as up.",
    }),
    worstStatus: t.field({ type: ServiceStatusEnum, resolve: (d) => d.worstStatus }),
    incidentIds: t.exposeIDList("incidentIds", {
      description:
        "Incidents (not deleted) that affected the service at some point of the day, oldest first. Ids only, so a page " +
        "of 90 days stays cheap: the incidents themselves are in StatusPage.activeIncidents and recentIncidents(days: 90).",
    }),
  }),
});

interface StatusSourceShape {
  kind: "DEFAULT" | "MANUAL" | "INCIDENT" | "MAINTENANCE";
  incidentId: string | null;
  maintenanceId: string | null;
}
const StatusSourceRef = builder.objectRef<StatusSourceShape>("StatusSource").implement({
  description: "Why a service has its current status.",
  ...everywhere,
  fields: (t) => ({
    kind: t.field({ type: StatusSourceKindEnum, resolve: (s) => s.kind }),
    incident: t.field({
      type: IncidentRef,
      nullable: true,
      description: "The incident that set the status, when kind is INCIDENT.",
      resolve: (s, _, ctx) => (s.incidentId ? ctx.loaders.incident.load(s.incidentId) : null),
    }),
    maintenance: t.field({
      type: MaintenanceRef,
      nullable: true,
      description: "The maintenance window that set the status, when kind is MAINTENANCE.",
      resolve: (s, _, ctx) => (s.maintenanceId ? ctx.loaders.maintenance.load(s.maintenanceId) : null),
    }),
  }),
});

ServiceRef.implement({
  description: "Something an organisation runs and reports the status of (Statuspage's component).",
  ...everywhere,
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    status: t.field({ type: ServiceStatusEnum, resolve: (s) => s.status }),
    position: t.exposeInt("position", { description: "Display order: lower first, then by name." }),
    group: t.exposeString("group", { nullable: true, description: "Services with the same group are shown together." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    statusSince: t.expose("statusSince", { type: "DateTime", description: "When the current status began." }),
    statusSource: t.field({
      type: StatusSourceRef,
      resolve: (s) => ({ kind: s.statusSource, incidentId: s.statusIncidentId, maintenanceId: s.statusMaintenanceId }),
    }),
    activeIncidents: t.field({
      type: [IncidentRef],
      description: "Unresolved incidents affecting this service, newest first.",
      resolve: (s, _, ctx) => ctx.loaders.activeIncidentsOfService.load(s.id),
    }),
    uptime: t.field({
      type: [UptimeDayRef],
      description:
        "One entry per UTC calendar day of the last `days` days (1 to 90), oldest first, today last. " +
        "Days before the service was created are left out (no data is not uptime).",
      args: { days: t.arg.int({ defaultValue: 90, validate: z.number().int().min(1).max(MAX_UPTIME_DAYS) }) },
      resolve: async (s, args, ctx) => {
        const history = await ctx.loaders.uptimeHistory.load(s);
        // A published page fixes the instant (its version), so one version gives one answer.
        return uptimeDays({ createdAt: s.createdAt, now: ctx.asOf ?? new Date(), days: args.days, statusAtStart: history.statusAtStart, changes: history.changes, incidents: history.incidents });
      },
    }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  services: t.field({
    type: [ServiceRef],
    description: "Ordered by position, then name; deleted services are excluded.",
    resolve: (org, _, ctx) =>
      ctx.prisma.service.findMany({ where: { organizationId: org.id, deletedAt: null }, orderBy: [{ position: "asc" }, { name: "asc" }] }),
  }),
  service: t.field({
    type: ServiceRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (org, args, ctx) => ctx.prisma.service.findFirst({ where: { id: String(args.id), organizationId: org.id, deletedAt: null } }),
  }),
}));

const NAME_RULE = "Unique among the organisation's live services, compared without case: a taken name is CONFLICT (extensions.field: name).";
const GROUP_RULE = 'Compared without case: "frontend" joins an existing "Frontend" group and takes its spelling.';

const CreateServiceInput = builder.inputType("CreateServiceInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    name: t.string({ validate: v.name, description: NAME_RULE }),
    description: t.string({ required: false, validate: v.description }),
    group: t.string({ required: false, validate: v.group, description: GROUP_RULE }),
    position: t.int({ required: false, validate: v.position, description: "Defaults to after the last service." }),
  }),
});

const UpdateServiceInput = builder.inputType("UpdateServiceInput", {
  description: "Omitted fields keep their value; description or group set to null is cleared.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    name: t.string({ required: false, validate: v.name.nullish(), description: NAME_RULE }),
    description: t.string({ required: false, validate: v.description }),
    group: t.string({ required: false, validate: v.group, description: GROUP_RULE }),
    position: t.int({ required: false, validate: v.position }),
  }),
});

const SetServiceStatusInput = builder.inputType("SetServiceStatusInput", {
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    status: t.field({ type: ServiceStatusEnum }),
  }),
});

builder.mutationFields((t) => ({
  createService: t.field({
    type: ServiceRef,
    description: "Adds a service; it starts OPERATIONAL. Admins only.",
    args: { input: t.arg({ type: CreateServiceInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) => createService({ ctx, input: { ...input, organizationId: String(input.organizationId) } }),
  }),
  updateService: t.field({
    type: ServiceRef,
    description: "Renames, describes, groups or reorders a service. Admins only.",
    args: { input: t.arg({ type: UpdateServiceInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "service", String(args.input.id)) }),
    resolve: async (_, { input }, ctx) =>
      updateService({ ctx, input: { ...input, id: String(input.id) }, organizationId: await ownerOf(ctx, "service", String(input.id)) }),
  }),
  setServiceStatus: t.field({
    type: ServiceRef,
    description: "Sets any status by hand (the only way in and out of UNDER_MAINTENANCE besides a window). Admins only.",
    args: { input: t.arg({ type: SetServiceStatusInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "service", String(args.input.id)) }),
    resolve: async (_, { input }, ctx) =>
      setServiceStatus({ ctx, input: { id: String(input.id), status: input.status }, organizationId: await ownerOf(ctx, "service", String(input.id)) }),
  }),
  deleteService: t.field({
    type: "ID",
    description: "Soft-deletes a service and returns its id. Admins only.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "service", String(args.id)) }),
    resolve: async (_, args, ctx) => deleteService({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "service", String(args.id)) }),
  }),
}));
