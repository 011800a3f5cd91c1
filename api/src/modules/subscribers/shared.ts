// What the public subscription verbs share: the throttle, the token check, the services check,
// and the EmailSubscription a visitor is answered with (never the address).
import type { Context } from "../../context.ts";
import type { Organization, Subscriber } from "../../generated/prisma/client.ts";
import { badInput, rateLimited } from "../../graphql/errors.ts";

/** The audit log's actor of what a visitor does with a subscription (no address: admins list those). */
export const VISITOR_ACTOR = "public:subscriber";

export interface EmailSubscriptionShape {
  organization: Organization;
  serviceIds: string[];
  confirmed: boolean;
}

export const subscriptionOf = (subscriber: Subscriber, organization: Organization): EmailSubscriptionShape => ({
  organization,
  serviceIds: subscriber.serviceIds,
  confirmed: subscriber.confirmedAt !== null,
});

/** One attempt of this IP (every public subscription mutation), and of this address (subscribing). */
export async function throttleSubscription(ctx: Context, address?: string): Promise<void> {
  const { perIp, perAddress } = ctx.services.limiters.subscriptions;
  const waitForIp = await perIp.take(ctx.clientIp ?? "unknown");
  if (waitForIp !== null) throw rateLimited(waitForIp);
  if (address === undefined) return;
  const waitForAddress = await perAddress.take(address);
  if (waitForAddress !== null) throw rateLimited(waitForAddress);
}

export const INVALID_LINK = "This link is not valid (any more): it may have expired, or the subscription was removed. Subscribe again to get a new one.";

/**
 * The subscriber (and its page) a token names. A forged, malformed or expired token and one whose
 * subscriber is gone all answer the same BAD_USER_INPUT (field token).
 */
export async function subscriberOfToken(ctx: Context, token: string): Promise<{ subscriber: Subscriber; organization: Organization; purpose: "confirm" | "manage" } | null> {
  const verified = ctx.services.subscriptionTokens.verify(token);
  if (!verified) throw badInput(INVALID_LINK, "token");
  const subscriber = await ctx.prisma.subscriber.findUnique({ where: { id: verified.subscriberId }, include: { organization: true } });
  if (!subscriber) return null;
  const { organization, ...row } = subscriber;
  return { subscriber: row, organization, purpose: verified.purpose };
}

/** The chosen services, each once, all of this page and not deleted; else BAD_USER_INPUT (field serviceIds). */
export async function checkServices(ctx: Context, organizationId: string, serviceIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(serviceIds)];
  if (unique.length === 0) return [];
  const found = await ctx.prisma.service.count({ where: { organizationId, id: { in: unique }, deletedAt: null } });
  if (found !== unique.length) throw badInput("Choose services of this status page.", "serviceIds");
  return unique;
}
