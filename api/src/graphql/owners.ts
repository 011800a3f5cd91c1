// Which organisation owns the object a mutation names. Used by the fields' authScopes, so the
// role check runs before any verb; missing, deleted and foreign objects look the same.
import DataLoader from "dataloader";
import type { Context } from "../context.ts";
import type { Prisma } from "../lib/db.ts";
import { notFound } from "./errors.ts";

type Kind = "service" | "incident" | "maintenance" | "apiToken";

function ownerLoader(fetch: (ids: string[]) => Promise<{ id: string; organizationId: string }[]>) {
  return new DataLoader<string, string | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const owners = new Map(rows.map((r) => [r.id, r.organizationId]));
    return ids.map((id) => owners.get(id) ?? null);
  });
}

export function createOwnerLoaders(prisma: Prisma): Record<Kind, DataLoader<string, string | null>> {
  const select = { id: true, organizationId: true } as const;
  return {
    service: ownerLoader((ids) => prisma.service.findMany({ where: { id: { in: ids }, deletedAt: null }, select })),
    incident: ownerLoader((ids) => prisma.incident.findMany({ where: { id: { in: ids }, deletedAt: null }, select })),
    maintenance: ownerLoader((ids) => prisma.maintenance.findMany({ where: { id: { in: ids } }, select })),
    apiToken: ownerLoader((ids) => prisma.apiToken.findMany({ where: { id: { in: ids }, revokedAt: null }, select })),
  };
}

const LABELS: Record<Kind, string> = { service: "Service", incident: "Incident", maintenance: "Maintenance", apiToken: "API token" };

/** The owning organisation's id; NOT_FOUND when there is no such (live) object. */
export async function ownerOf(ctx: Context, kind: Kind, id: string): Promise<string> {
  const owner = await ctx.loaders.owners[kind].load(id);
  if (!owner) throw notFound(LABELS[kind]);
  return owner;
}
