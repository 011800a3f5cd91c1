// The audit log: who changed what, when. Written by every mutation in its own transaction.
import { z } from "zod";
import { builder } from "../../graphql/builder.ts";
import { PageInfoRef } from "../../graphql/page-info.ts";
import { encodeKey, newestFirstPage, type page } from "../../graphql/pagination.ts";
import { AuditEntryRef, OrganizationRef } from "../../graphql/refs.ts";
import type { AuditEntry } from "../../generated/prisma/client.ts";

AuditEntryRef.implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    action: t.exposeString("action", { description: "What was done, e.g. incident.create, service.set_status." }),
    actor: t.exposeString("actor", { description: "Who did it: user:<email> or token:<name>." }),
    targetId: t.exposeID("targetId", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const AuditEntryEdgeRef = builder.objectRef<AuditEntry>("AuditEntryEdge").implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (e) => encodeKey(e) }),
    node: t.field({ type: AuditEntryRef, resolve: (e) => e }),
  }),
});

const AuditEntryConnectionRef = builder.objectRef<ReturnType<typeof page<AuditEntry>>>("AuditEntryConnection").implement({
  description: "A page of audit entries, newest first.",
  fields: (t) => ({
    edges: t.field({ type: [AuditEntryEdgeRef], resolve: (c) => c.nodes }),
    nodes: t.field({ type: [AuditEntryRef], resolve: (c) => c.nodes }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  auditLog: t.field({
    type: AuditEntryConnectionRef,
    description: "Admins only.",
    args: {
      first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(200) }),
      after: t.arg.string({ required: false }),
    },
    authScopes: (org) => ({ admin: org.id }),
    resolve: (org, args, ctx) =>
      newestFirstPage(args, 50, ({ where, ...window }) => ctx.prisma.auditEntry.findMany({ where: { organizationId: org.id, ...where }, ...window })),
  }),
}));
