// Maintenance windows: the type (public), the list by state, and the admin mutations.
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { MaintenanceRef, MaintenanceStatusEnum, OrganizationRef, ServiceRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import type { MaintenanceStatus } from "../../generated/prisma/enums.ts";
import { cancelMaintenance } from "./cancel-maintenance.ts";
import { scheduleMaintenance } from "./schedule-maintenance.ts";
import { updateMaintenance } from "./update-maintenance.ts";

MaintenanceRef.implement({
  description: "A planned window during which services are UNDER_MAINTENANCE.",
  subGraphs: ["Admin", "Public"],
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.exposeString("title"),
    description: t.exposeString("description", { nullable: true }),
    status: t.field({ type: MaintenanceStatusEnum, resolve: (m) => m.status }),
    scheduledStart: t.expose("scheduledStart", { type: "DateTime" }),
    scheduledEnd: t.expose("scheduledEnd", { type: "DateTime" }),
    services: t.field({ type: [ServiceRef], resolve: (m, _, ctx) => ctx.loaders.maintenanceServices.load(m.id) }),
  }),
});

export const MAINTENANCE_STATES = {
  UPCOMING: ["SCHEDULED"],
  ACTIVE: ["IN_PROGRESS"],
  PAST: ["COMPLETED", "CANCELLED"],
  ALL: ["SCHEDULED", "IN_PROGRESS", "COMPLETED", "CANCELLED"],
} as const satisfies Record<string, readonly MaintenanceStatus[]>;

const MaintenanceStateEnum = builder.enumType("MaintenanceState", {
  values: {
    UPCOMING: { description: "Scheduled, not started." },
    ACTIVE: { description: "In progress." },
    PAST: { description: "Completed or cancelled." },
    ALL: {},
  } as const,
});

builder.objectFields(OrganizationRef, (t) => ({
  maintenances: t.field({
    type: [MaintenanceRef],
    description: "Upcoming and active windows soonest first; past ones most recent first.",
    args: { state: t.arg({ type: MaintenanceStateEnum, required: false, defaultValue: "UPCOMING" }) },
    resolve: (org, args, ctx) => {
      const state = args.state ?? "UPCOMING";
      return ctx.prisma.maintenance.findMany({
        where: { organizationId: org.id, status: { in: [...MAINTENANCE_STATES[state]] } },
        orderBy: [{ scheduledStart: state === "PAST" || state === "ALL" ? "desc" : "asc" }, { id: "asc" }],
        take: 200,
      });
    },
  }),
}));

const ScheduleMaintenanceInput = builder.inputType("ScheduleMaintenanceInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    serviceIds: t.idList({ validate: v.ids }),
    title: t.string({ validate: v.title }),
    description: t.string({ required: false, validate: v.description }),
    scheduledStart: t.field({ type: "DateTime" }),
    scheduledEnd: t.field({ type: "DateTime" }),
  }),
});

const UpdateMaintenanceInput = builder.inputType("UpdateMaintenanceInput", {
  description: "Omitted fields keep their value. serviceIds can change only before the window starts.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    title: t.string({ required: false, validate: v.title.nullish() }),
    description: t.string({ required: false, validate: v.description }),
    scheduledStart: t.field({ type: "DateTime", required: false }),
    scheduledEnd: t.field({ type: "DateTime", required: false }),
    serviceIds: t.idList({ required: false, validate: v.ids.nullish() }),
  }),
});

builder.mutationFields((t) => ({
  scheduleMaintenance: t.field({
    type: MaintenanceRef,
    description: "Plans a maintenance window. Admins only.",
    args: { input: t.arg({ type: ScheduleMaintenanceInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) =>
      scheduleMaintenance({ ctx, input: { ...input, organizationId: String(input.organizationId), serviceIds: input.serviceIds.map(String) } }),
  }),
  updateMaintenance: t.field({
    type: MaintenanceRef,
    description: "Edits a window that has not ended. Admins only.",
    args: { input: t.arg({ type: UpdateMaintenanceInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "maintenance", String(args.input.id)) }),
    resolve: async (_, { input }, ctx) =>
      updateMaintenance({
        ctx,
        input: { ...input, id: String(input.id), serviceIds: input.serviceIds?.map(String) ?? null },
        organizationId: await ownerOf(ctx, "maintenance", String(input.id)),
      }),
  }),
  cancelMaintenance: t.field({
    type: MaintenanceRef,
    description: "Cancels a window that has not ended; services it holds leave maintenance. Admins only.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "maintenance", String(args.id)) }),
    resolve: async (_, args, ctx) => cancelMaintenance({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "maintenance", String(args.id)) }),
  }),
}));
