// updateSubscription: the manage page's choice of services (empty: all). Services of another
// page, unknown or deleted ones are BAD_USER_INPUT (field serviceIds) and change nothing.
import type { Context } from "../../context.ts";
import { badInput } from "../../graphql/errors.ts";
import { checkServices, INVALID_LINK, subscriberOfToken, subscriptionOf, throttleSubscription, VISITOR_ACTOR, type EmailSubscriptionShape } from "./shared.ts";

export async function updateSubscription({ ctx, input }: { ctx: Context; input: { token: string; serviceIds: readonly string[] } }): Promise<EmailSubscriptionShape> {
  await throttleSubscription(ctx);
  const found = await subscriberOfToken(ctx, input.token);
  if (!found) throw badInput(INVALID_LINK, "token");
  const { subscriber, organization } = found;
  const serviceIds = await checkServices(ctx, organization.id, input.serviceIds);
  const updated = await ctx.services.mutations.run(organization.id, VISITOR_ACTOR, async (m) => {
    const { count } = await m.tx.subscriber.updateMany({ where: { id: subscriber.id }, data: { serviceIds } });
    if (count === 0) return null;
    m.audit("subscriber.update", subscriber.id);
    return m.tx.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
  });
  if (!updated) throw badInput(INVALID_LINK, "token");
  return subscriptionOf(updated, organization);
}
