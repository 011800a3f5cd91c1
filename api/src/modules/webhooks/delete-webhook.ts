import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";

/** Soft delete (API.md): nothing more is sent; its records stay in the database, unreachable. */
export async function deleteWebhook({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.tx.webhook.update({ where: { id, organizationId: m.organizationId }, data: { deletedAt: new Date(), leaseToken: null, leaseUntil: null } });
    m.audit("webhook.delete", id);
    return id;
  });
}
