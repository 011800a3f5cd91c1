// confirmSubscription: the link of the confirmation mail. A confirmed subscriber starts at the
// end of the log (no backlog of what happened before), like a new webhook. Idempotent: with a
// subscriber already confirmed (or with a manage token) it only answers the subscription, which
// is how the manage page reads the current choice.
import type { Context } from "../../context.ts";
import { badInput } from "../../graphql/errors.ts";
import { INVALID_LINK, subscriberOfToken, subscriptionOf, throttleSubscription, VISITOR_ACTOR, type EmailSubscriptionShape } from "./shared.ts";

export async function confirmSubscription({ ctx, token }: { ctx: Context; token: string }): Promise<EmailSubscriptionShape> {
  await throttleSubscription(ctx);
  const found = await subscriberOfToken(ctx, token);
  if (!found) throw badInput(INVALID_LINK, "token");
  const { subscriber, organization } = found;
  if (subscriber.confirmedAt) return subscriptionOf(subscriber, organization);
  const confirmed = await ctx.services.mutations.run(organization.id, VISITOR_ACTOR, async (m) => {
    const { eventSeq } = await m.tx.organization.findUniqueOrThrow({ where: { id: m.organizationId }, select: { eventSeq: true } });
    const { count } = await m.tx.subscriber.updateMany({ where: { id: subscriber.id, confirmedAt: null }, data: { confirmedAt: new Date(), cursor: eventSeq } });
    if (count === 1) m.audit("subscriber.confirm", subscriber.id);
    return m.tx.subscriber.findUnique({ where: { id: subscriber.id } });
  });
  if (!confirmed) throw badInput(INVALID_LINK, "token"); // unsubscribed meanwhile
  ctx.services.webhooks.dispatcher.follow(organization.id);
  return subscriptionOf(confirmed, organization);
}
