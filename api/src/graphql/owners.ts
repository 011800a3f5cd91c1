// Which organisation owns the object a mutation names. Used by the fields' authScopes, so the
// role check runs before any verb; missing, deleted and foreign objects look the same.
import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import type { Context } from "../context.ts";
import type { Prisma } from "../lib/db.ts";
import { notFound } from "./errors.ts";

type Kind = "service" | "incident" | "maintenance" | "apiToken" | "invitation" | "webhook" | "webhookDelivery" | "subscriber";

type Owners = LRUCache<string, string>;

function ownerLoader(fetch: (ids: string[]) => Promise<{ id: string; organizationId: string }[]>, remember?: Owners) {
  return new DataLoader<string, string | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const owners = new Map(rows.map((r) => [r.id, r.organizationId]));
    for (const [id, owner] of owners) remember?.set(id, owner);
    return ids.map((id) => owners.get(id) ?? null);
  });
}

/**
 * Owners of services and incidents once seen, per database (an object never changes
 * organisation): an admin's next change to the same service or incident — an incident's
 * updates, a service's status during an outage — skips its owner lookup, one statement of a
 * mutation's seven. Used only for a viewer already known to belong to the remembered owner
 * (ownerOf): anyone else does the lookup as before, so a foreign id still costs exactly what a
 * made-up one does (input-hardening.test.ts: same timing class). Only these two kinds: every
 * verb on them locks the row and reads it live (lockLiveServices, lockIncident) and answers the
 * same NOT_FOUND when it was deleted meanwhile.
 */
const KNOWN_OWNERS = 50_000;
const knownOwners = new WeakMap<Prisma, Partial<Record<Kind, Owners>>>();
function knownOwnersOf(prisma: Prisma): Partial<Record<Kind, Owners>> {
  let known = knownOwners.get(prisma);
  if (!known) knownOwners.set(prisma, (known = { service: new LRUCache({ max: KNOWN_OWNERS }), incident: new LRUCache({ max: KNOWN_OWNERS }) }));
  return known;
}

export function createOwnerLoaders(prisma: Prisma): Record<Kind, DataLoader<string, string | null>> {
  const select = { id: true, organizationId: true } as const;
  const known = knownOwnersOf(prisma);
  return {
    service: ownerLoader((ids) => prisma.service.findMany({ where: { id: { in: ids }, deletedAt: null }, select }), known.service),
    incident: ownerLoader((ids) => prisma.incident.findMany({ where: { id: { in: ids }, deletedAt: null }, select }), known.incident),
    maintenance: ownerLoader((ids) => prisma.maintenance.findMany({ where: { id: { in: ids } }, select })),
    apiToken: ownerLoader((ids) => prisma.apiToken.findMany({ where: { id: { in: ids }, revokedAt: null }, select })),
    invitation: ownerLoader((ids) => prisma.invitation.findMany({ where: { id: { in: ids }, acceptedAt: null, revokedAt: null }, select })),
    webhook: ownerLoader((ids) => prisma.webhook.findMany({ where: { id: { in: ids }, deletedAt: null }, select })),
    // A delivery of a deleted webhook is gone with it.
    webhookDelivery: ownerLoader((ids) => prisma.webhookDelivery.findMany({ where: { id: { in: ids }, webhook: { deletedAt: null } }, select })),
    subscriber: ownerLoader((ids) => prisma.subscriber.findMany({ where: { id: { in: ids } }, select })),
  };
}

const LABELS: Record<Kind, string> = { service: "Service", incident: "Incident", maintenance: "Maintenance", apiToken: "API token", invitation: "Invitation", webhook: "Webhook", webhookDelivery: "Webhook delivery", subscriber: "Subscriber" };

/** An organisation id nobody is a member of: a missing object's "owner" for the role check. */
const NOWHERE = "00000000-0000-0000-0000-000000000000";

/**
 * The owning organisation's id, once the viewer is known to belong to it. A made-up id, a
 * deleted object and another organisation's object take the same path: one owner lookup, then
 * the role check (one membership lookup for a user, none for a token) against the owner or
 * NOWHERE, which answers the same `NOT_FOUND "<Kind> not found."` (anonymous: UNAUTHENTICATED)
 * for all three. So neither the message nor the work done tells a foreign id from a made-up one.
 */
export async function ownerOf(ctx: Context, kind: Kind, id: string): Promise<string> {
  const remembered = knownOwnersOf(ctx.prisma)[kind]?.get(id);
  if (remembered !== undefined && ctx.access.knownMemberOf(remembered)) {
    await ctx.access.requireMember(remembered, LABELS[kind]);
    return remembered;
  }
  const owner = await ctx.loaders.owners[kind].load(id);
  await ctx.access.requireMember(owner ?? NOWHERE, LABELS[kind]);
  // The server's own viewer is a member everywhere, even of NOWHERE.
  if (!owner) throw notFound(LABELS[kind]);
  return owner;
}
