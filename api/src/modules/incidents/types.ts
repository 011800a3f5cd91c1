// Incidents: the type and its timeline (public), the paginated list, and the admin mutations.
import { z } from "zod";
import { builder } from "../../graphql/builder.ts";
import { notFound } from "../../graphql/errors.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { AffectedServiceRef, IncidentRef, IncidentStatusEnum, IncidentUpdateRef, OrganizationRef, ServiceRef, ServiceStatusEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { createIncident } from "./create-incident.ts";
import { deleteIncident } from "./delete-incident.ts";
import { PageInfoRef } from "../../graphql/page-info.ts";
import { encodeKey } from "../../graphql/pagination.ts";
import { listIncidents } from "./list.ts";
import { updateIncident } from "./update-incident.ts";
import type { Incident } from "../../generated/prisma/client.ts";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

IncidentRef.implement({
  description: "Something wrong, across one or more services, with its timeline.",
  ...everywhere,
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.exposeString("title"),
    status: t.field({ type: IncidentStatusEnum, resolve: (i) => i.status }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
    affectedServices: t.field({ type: [AffectedServiceRef], resolve: (i, _, ctx) => ctx.loaders.incidentServices.load(i.id) }),
    updates: t.field({
      type: [IncidentUpdateRef],
      description: "The timeline, oldest first; creation is the first entry.",
      resolve: (i, _, ctx) => ctx.loaders.incidentUpdates.load(i.id),
    }),
  }),
});

AffectedServiceRef.implement({
  description: "A service an incident affects: its status before the incident and the status the incident set.",
  ...everywhere,
  fields: (t) => ({
    service: t.field({ type: ServiceRef, resolve: (a) => a.service }),
    fromStatus: t.field({ type: ServiceStatusEnum, resolve: (a) => a.fromStatus }),
    toStatus: t.field({ type: ServiceStatusEnum, resolve: (a) => a.toStatus }),
  }),
});

IncidentUpdateRef.implement({
  ...everywhere,
  fields: (t) => ({
    id: t.exposeID("id"),
    status: t.field({ type: IncidentStatusEnum, resolve: (u) => u.status }),
    message: t.exposeString("message"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const IncidentStateEnum = builder.enumType("IncidentState", { values: ["ACTIVE", "RESOLVED", "ALL"] as const });

const IncidentEdgeRef = builder.objectRef<Incident>("IncidentEdge").implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (i) => encodeKey(i) }),
    node: t.field({ type: IncidentRef, resolve: (i) => i }),
  }),
});
const IncidentConnectionRef = builder
  .objectRef<Awaited<ReturnType<typeof listIncidents>>>("IncidentConnection")
  .implement({
    description: "A page of incidents, newest first (Relay connection shape, plus `nodes`).",
    fields: (t) => ({
      edges: t.field({ type: [IncidentEdgeRef], resolve: (c) => c.nodes }),
      nodes: t.field({ type: [IncidentRef], resolve: (c) => c.nodes }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c }),
    }),
  });

builder.objectFields(OrganizationRef, (t) => ({
  incidents: t.field({
    type: IncidentConnectionRef,
    args: {
      first: t.arg.int({ required: false, defaultValue: 20, validate: z.number().int().min(1).max(100) }),
      after: t.arg.string({ required: false }),
      state: t.arg({ type: IncidentStateEnum, required: false, defaultValue: "ALL" }),
    },
    resolve: (org, args, ctx) => listIncidents(ctx.prisma, org.id, { first: args.first ?? 20, after: args.after, state: args.state ?? "ALL" }),
  }),
  incident: t.field({
    type: IncidentRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (org, args, ctx) => ctx.prisma.incident.findFirst({ where: { id: String(args.id), organizationId: org.id, deletedAt: null } }),
  }),
}));

const CreateIncidentInput = builder.inputType("CreateIncidentInput", {
  fields: (t) => ({
    serviceIds: t.idList({ validate: v.ids, description: "One or more services of one organisation." }),
    title: t.string({ validate: v.title }),
    message: t.string({ validate: v.message, description: "The first entry of the timeline." }),
    impact: t.field({ type: ServiceStatusEnum, description: "The status each service takes; it must be worse than its current one." }),
  }),
});

const UpdateIncidentInput = builder.inputType("UpdateIncidentInput", {
  description: "Status moves forward only; a status or message change appends one timeline entry.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    status: t.field({ type: IncidentStatusEnum, required: false }),
    message: t.string({ required: false, validate: v.message.nullish() }),
    title: t.string({ required: false, validate: v.title.nullish() }),
  }),
});

/** All services named must belong to one organisation; else it is as if one did not exist. */
async function ownerOfServices(ctx: Parameters<typeof ownerOf>[0], ids: readonly (string | number)[]): Promise<string> {
  const owners = new Set(await Promise.all(ids.map((id) => ownerOf(ctx, "service", String(id)))));
  const [owner] = owners;
  if (owners.size !== 1 || !owner) throw notFound("Service");
  return owner;
}

builder.mutationFields((t) => ({
  createIncident: t.field({
    type: IncidentRef,
    description: "Opens an incident (INVESTIGATING) and worsens each service to `impact`. Admins only.",
    args: { input: t.arg({ type: CreateIncidentInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOfServices(ctx, args.input.serviceIds) }),
    resolve: async (_, { input }, ctx) =>
      createIncident({ ctx, input: { ...input, serviceIds: input.serviceIds.map(String) }, organizationId: await ownerOfServices(ctx, input.serviceIds) }),
  }),
  updateIncident: t.field({
    type: IncidentRef,
    description: "Posts an update, moves the status forward, renames. Resolving recalculates services. Admins only.",
    args: { input: t.arg({ type: UpdateIncidentInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "incident", String(args.input.id)) }),
    resolve: async (_, { input }, ctx) =>
      updateIncident({ ctx, input: { ...input, id: String(input.id) }, organizationId: await ownerOf(ctx, "incident", String(input.id)) }),
  }),
  deleteIncident: t.field({
    type: "ID",
    description: "Soft-deletes an incident; an active one is ended first (services recalculated). Admins only.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "incident", String(args.id)) }),
    resolve: async (_, args, ctx) => deleteIncident({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "incident", String(args.id)) }),
  }),
}));
