import type { Context } from "../../context.ts";
import type { StatusEventKind, WebhookFormat } from "../../generated/prisma/enums.ts";
import { badInput } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { newWebhookSecret } from "./domain.ts";
import { acceptableWebhookUrl } from "./target.ts";

/** Enough for every channel a team announces on; a runaway script stops here. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 25;

/**
 * The secret is returned once, here. A new webhook starts at the end of the log: it gets the
 * events committed after it, not the organisation's history.
 */
export async function createWebhook({ ctx, input }: { ctx: Context; input: { organizationId: string; url: string; kinds: StatusEventKind[]; format: WebhookFormat } }) {
  const { webhooks } = ctx.services;
  const url = await acceptableWebhookUrl(input.url, webhooks.settings.allowPrivate);
  const secret = newWebhookSecret();
  const created = await ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    const existing = await m.tx.webhook.count({ where: { organizationId: m.organizationId, deletedAt: null } });
    if (existing >= MAX_WEBHOOKS_PER_ORGANIZATION) throw badInput(`An organisation has at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks: delete one first.`);
    const { eventSeq } = await m.tx.organization.findUniqueOrThrow({ where: { id: m.organizationId }, select: { eventSeq: true } });
    const webhook = await m.tx.webhook.create({
      data: { organizationId: m.organizationId, url, kinds: [...new Set(input.kinds)], format: input.format, secret, cursor: eventSeq },
    });
    m.audit("webhook.create", webhook.id);
    return { secret, webhook };
  });
  webhooks.dispatcher.follow(input.organizationId);
  return created;
}
