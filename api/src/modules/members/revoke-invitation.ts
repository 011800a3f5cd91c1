import type { Context } from "../../context.ts";
import { notFound } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";

/** The link stops working at once. An accepted or already revoked invitation is NOT_FOUND. */
export async function revokeInvitation({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const revoked = await m.tx.invitation.updateMany({
      where: { id, organizationId: m.organizationId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count !== 1) throw notFound("Invitation"); // accepted or revoked meanwhile
    m.audit("invitation.revoke", id);
    return id;
  });
}
