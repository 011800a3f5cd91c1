// The anonymous status page: Query.statusPage and what it reaches. This is the whole of the
// "Public" sub-graph's entry points (served alone on /graphql/public).
import { z } from "zod";
import type { Organization } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { IncidentRef, MaintenanceRef, PageStatusRef, ServiceRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { encodeCursor } from "../events/cursor.ts";
import type { Snapshot } from "./published-pages.ts";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

export const PublicOrganizationRef = builder.objectRef<Organization>("PublicOrganization").implement({
  description: "What a visitor may know of an organisation.",
  ...everywhere,
  fields: (t) => ({
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
  }),
});

// The page is resolved from its published snapshot (published-pages.ts): the same rows the
// public files show, read once per change, whichever endpoint asks.
const StatusPageRef = builder.objectRef<Snapshot>("StatusPage").implement({
  description: "An organisation's public status page.",
  ...everywhere,
  fields: (t) => ({
    organization: t.field({ type: PublicOrganizationRef, resolve: (page) => page.page.organization }),
    status: t.field({ type: PageStatusRef, resolve: (page) => page.page.status }),
    services: t.field({
      type: [ServiceRef],
      description: "Ordered by position, then name.",
      resolve: (page) => page.page.services,
    }),
    activeIncidents: t.field({
      type: [IncidentRef],
      description: "Unresolved incidents, newest first.",
      resolve: (page) => page.rows.activeIncidents.slice(0, 100),
    }),
    recentIncidents: t.field({
      type: [IncidentRef],
      description: "Incidents resolved in the last `days` days (1 to 90), most recently resolved first.",
      args: { days: t.arg.int({ required: false, defaultValue: 14, validate: z.number().int().min(1).max(90) }) },
      resolve: (page, args) => {
        // As of the snapshot's instant, so that one version always gives the same answer.
        const since = page.asOf.getTime() - (args.days ?? 14) * 86_400_000;
        return page.rows.resolvedIncidents.filter((i) => i.resolvedAt!.getTime() >= since);
      },
    }),
    maintenances: t.field({
      type: [MaintenanceRef],
      description: "Windows in progress and upcoming, soonest first.",
      resolve: (page) => page.rows.openMaintenances,
    }),
    cursor: t.string({
      description:
        "The position in the page's event log this answer shows. Subscribe to statusPageEvents with `after: cursor` to miss no change after it; " +
        "an event's cursor is the version to ask for next (`&v=<cursor>` on a GET of /graphql/public: answered with this page at or past it).",
      resolve: (page) => encodeCursor(page.position),
    }),
    incident: t.field({
      type: IncidentRef,
      nullable: true,
      description: "One incident of this page, resolved or not, of any age, with its whole timeline; null when it is unknown, deleted or another organisation's.",
      args: { id: t.arg.id({ validate: v.id }) },
      resolve: async (page, args, ctx) => {
        const id = String(args.id);
        const shown = page.incident(id);
        if (shown) return shown;
        // Older than the snapshot keeps: read it (its content changes only with an event, so the
        // answer is still versioned by the snapshot it was read with).
        const incident = await ctx.loaders.incident.load(id);
        return incident && incident.organizationId === page.organizationId && incident.deletedAt === null ? incident : null;
      },
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
    resolve: async (_, args, ctx) => {
      const page = await ctx.services.pages.get(args.slug.toLowerCase());
      if (!page) {
        // "No such page" has no version to follow: an answer that says so is never cached.
        if (ctx.published) ctx.published.unversioned = true;
        return null;
      }
      ctx.published?.snapshots.push(page);
      page.prime(ctx.loaders);
      ctx.asOf = page.asOf;
      return page;
    },
  }),
}));
