// subscribeToStatusPage: always answers true, the same way whether the address is new, waiting
// for confirmation or confirmed, so nobody learns who subscribes to what. The mail it may send
// (a confirmation, or to a confirmed address its manage links) leaves after the answer and at
// most once per PROMPT_INTERVAL_MS per address and page, whoever asks and on whichever instance.
import type { Context } from "../../context.ts";
import type { Organization, Subscriber } from "../../generated/prisma/client.ts";
import { notFound } from "../../graphql/errors.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import { alreadySubscribedMail, confirmationMail, confirmUrl, manageLinks } from "./mail.ts";
import { checkServices, throttleSubscription, VISITOR_ACTOR } from "./shared.ts";
import { CONFIRMATION_TTL_MS } from "./tokens.ts";

export const PROMPT_INTERVAL_MS = 5 * 60_000;

export async function subscribeToStatusPage({ ctx, input }: { ctx: Context; input: { slug: string; email: string; serviceIds: readonly string[] } }): Promise<true> {
  await throttleSubscription(ctx, input.email);
  const organization = await ctx.prisma.organization.findUnique({ where: { slug: input.slug } });
  if (!organization) throw notFound("Status page");
  const serviceIds = await checkServices(ctx, organization.id, input.serviceIds);
  let prompt: Subscriber | null;
  try {
    prompt = await ctx.services.mutations.run(organization.id, VISITOR_ACTOR, async (m) => {
      const now = new Date();
      const existing = await m.tx.subscriber.findUnique({ where: { organizationId_email: { organizationId: m.organizationId, email: input.email } } });
      if (!existing) {
        const created = await m.tx.subscriber.create({ data: { organizationId: m.organizationId, email: input.email, serviceIds, lastPromptAt: now } });
        m.audit("subscriber.create", created.id);
        return created;
      }
      const due = !existing.lastPromptAt || now.getTime() - existing.lastPromptAt.getTime() >= PROMPT_INTERVAL_MS;
      // One whose mails kept failing (disabled) starts over: unconfirmed, a new double opt-in.
      const restart = existing.confirmedAt !== null && !existing.enabled;
      const confirmed = existing.confirmedAt !== null && !restart;
      // A confirmed subscriber's choice is changed only through its manage link, never by
      // someone who merely knows the address; an unconfirmed one takes the latest choice.
      if (confirmed && !due) return null;
      const { count } = await m.tx.subscriber.updateMany({
        where: { id: existing.id, lastPromptAt: existing.lastPromptAt },
        data: {
          ...(confirmed ? {} : { serviceIds }),
          ...(restart ? { confirmedAt: null, enabled: true, disabledReason: null, failedAttempts: 0, nextAttemptAt: null } : {}),
          ...(due || restart ? { lastPromptAt: now } : {}),
        },
      });
      return (due || restart) && count === 1 ? { ...existing, confirmedAt: confirmed ? existing.confirmedAt : null } : null;
    });
  } catch (error) {
    // The same address subscribed at the same instant: the other call mails it.
    if (isUniqueViolation(error)) return true;
    throw error;
  }
  if (prompt) sendPrompt(ctx, prompt, organization);
  return true;
}

/** Not awaited: a slow or failing SMTP server never shows in the answer; the visitor may ask again. */
function sendPrompt(ctx: Context, subscriber: Subscriber, organization: Organization): void {
  const { mailer, log, subscriptionTokens: tokens } = ctx.services;
  const publicUrl = ctx.services.publicUrl();
  const mail = subscriber.confirmedAt
    ? alreadySubscribedMail(subscriber.email, organization, manageLinks(publicUrl, organization.slug, tokens.issue("manage", subscriber.id)))
    : confirmationMail(subscriber.email, organization, confirmUrl(publicUrl, organization.slug, tokens.issue("confirm", subscriber.id)), new Date(Date.now() + CONFIRMATION_TTL_MS));
  void mailer.send(mail).catch((error: unknown) => log.warn({ err: error, subscriberId: subscriber.id }, "subscription mail failed; the visitor can ask again"));
}
