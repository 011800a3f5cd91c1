// unsubscribe (the manage page's button, and the one-click POST of RFC 8058): deletes the
// subscriber with its delivery records, so the address is not kept. Idempotent: a valid token of
// a subscriber already gone answers true as well; a forged or expired one is BAD_USER_INPUT.
import type { Context } from "../../context.ts";
import { subscriberOfToken, throttleSubscription, VISITOR_ACTOR } from "./shared.ts";

export async function unsubscribe({ ctx, token }: { ctx: Context; token: string }): Promise<true> {
  await throttleSubscription(ctx);
  const found = await subscriberOfToken(ctx, token);
  if (!found) return true;
  await deleteSubscriber(ctx, found.subscriber.id, found.organization.id, VISITOR_ACTOR, "subscriber.unsubscribe");
  return true;
}

/** Deletes the row and its attempts; false when it was already gone. Audited only when it was there. */
export function deleteSubscriber(ctx: Context, id: string, organizationId: string, actor: string, action: string): Promise<boolean> {
  return ctx.services.mutations.run(organizationId, actor, async (m) => {
    await m.tx.subscriberDelivery.deleteMany({ where: { subscriberId: id, organizationId: m.organizationId } });
    const { count } = await m.tx.subscriber.deleteMany({ where: { id, organizationId: m.organizationId } });
    if (count === 1) m.audit(action, id);
    return count === 1;
  });
}
