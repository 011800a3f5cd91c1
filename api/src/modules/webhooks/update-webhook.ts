import type { Context } from "../../context.ts";
import type { StatusEventKind, WebhookFormat } from "../../generated/prisma/enums.ts";
import type { Prisma as PrismaTypes } from "../../generated/prisma/client.ts";
import { actorOf } from "../auth/viewer.ts";
import { acceptableWebhookUrl } from "./target.ts";

export interface UpdateWebhookInput {
  id: string;
  url?: string | null | undefined;
  kinds?: StatusEventKind[] | null | undefined;
  format?: WebhookFormat | null | undefined;
  enabled?: boolean | null | undefined;
}

/**
 * Omitted (or null) fields stay as they are. Enabling a disabled webhook resumes it at the end
 * of the log: what happened while it was off is not sent in a burst (redeliver what is
 * wanted). A new URL gets a fresh set of attempts at the event it was retrying, at once.
 */
export async function updateWebhook({ ctx, organizationId, input }: { ctx: Context; organizationId: string; input: UpdateWebhookInput }) {
  const { webhooks } = ctx.services;
  const url = input.url != null ? await acceptableWebhookUrl(input.url, webhooks.settings.allowPrivate) : null;
  const updated = await ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const current = await m.tx.webhook.findFirstOrThrow({ where: { id: input.id, organizationId: m.organizationId, deletedAt: null } });
    const data: PrismaTypes.WebhookUpdateInput = {};
    if (url !== null && url !== current.url) Object.assign(data, { url, failedAttempts: 0, nextAttemptAt: null });
    if (input.kinds != null) data.kinds = [...new Set(input.kinds)];
    if (input.format != null) data.format = input.format;
    if (input.enabled === true && !current.enabled) {
      const { eventSeq } = await m.tx.organization.findUniqueOrThrow({ where: { id: m.organizationId }, select: { eventSeq: true } });
      Object.assign(data, { enabled: true, disabledReason: null, cursor: eventSeq, failedAttempts: 0, nextAttemptAt: null });
    }
    if (input.enabled === false && current.enabled) Object.assign(data, { enabled: false, disabledReason: null, failedAttempts: 0, nextAttemptAt: null });
    const webhook = await m.tx.webhook.update({ where: { id: current.id }, data });
    m.audit("webhook.update", webhook.id);
    return webhook;
  });
  webhooks.dispatcher.follow(organizationId);
  webhooks.dispatcher.wake();
  return updated;
}
