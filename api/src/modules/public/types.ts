// The anonymous status page: Query.statusPage and what it reaches. This is the whole of the
// "Public" sub-graph's entry points (served alone on /graphql/public).
import { z } from "zod";
import type { Organization } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { IncidentRef, MaintenanceRef, PageStatusRef, ServiceRef } from "../../graphql/refs.ts";
import { pageStatusOf } from "../orgs/page-status.ts";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

const PublicOrganizationRef = builder.objectRef<Organization>("PublicOrganization").implement({
  description: "What a visitor may know of an organisation.",
  ...everywhere,
  fields: (t) => ({
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
  }),
});

const StatusPageRef = builder.objectRef<Organization>("StatusPage").implement({
  description: "An organisation's public status page.",
  ...everywhere,
  fields: (t) => ({
    organization: t.field({ type: PublicOrganizationRef, resolve: (org) => org }),
    status: t.field({ type: PageStatusRef, resolve: (org, _, ctx) => pageStatusOf(ctx.prisma, org) }),
    services: t.field({
      type: [ServiceRef],
      description: "Ordered by position, then name.",
      resolve: (org, _, ctx) =>
        ctx.prisma.service.findMany({ where: { organizationId: org.id, deletedAt: null }, orderBy: [{ position: "asc" }, { name: "asc" }] }),
    }),
    activeIncidents: t.field({
      type: [IncidentRef],
      description: "Unresolved incidents, newest first.",
      resolve: (org, _, ctx) =>
        ctx.prisma.incident.findMany({
          where: { organizationId: org.id, deletedAt: null, resolvedAt: null },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          take: 100,
        }),
    }),
    recentIncidents: t.field({
      type: [IncidentRef],
      description: "Incidents resolved in the last `days` days (1 to 90), most recently resolved first.",
      args: { days: t.arg.int({ required: false, defaultValue: 14, validate: z.number().int().min(1).max(90) }) },
      resolve: (org, args, ctx) =>
        ctx.prisma.incident.findMany({
          where: { organizationId: org.id, deletedAt: null, resolvedAt: { gte: new Date(Date.now() - (args.days ?? 14) * 86_400_000) } },
          orderBy: [{ resolvedAt: "desc" }, { id: "desc" }],
          take: 200,
        }),
    }),
    maintenances: t.field({
      type: [MaintenanceRef],
      description: "Windows in progress and upcoming, soonest first.",
      resolve: (org, _, ctx) =>
        ctx.prisma.maintenance.findMany({
          where: { organizationId: org.id, status: { in: ["IN_PROGRESS", "SCHEDULED"] } },
          orderBy: [{ scheduledStart: "asc" }, { id: "asc" }],
          take: 100,
        }),
    }),
  }),
});

builder.queryFields((t) => ({
  statusPage: t.field({
    type: StatusPageRef,
    nullable: true,
    ...everywhere,
    description: "Anyone may read an organisation's status page by its slug; null for an unknown slug.",
    args: { slug: t.arg.string({ required: true, validate: z.string().max(100) }) },
    resolve: (_, args, ctx) => ctx.prisma.organization.findUnique({ where: { slug: args.slug.toLowerCase() } }),
  }),
}));
