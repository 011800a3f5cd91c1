// An attempt an admin asks for (a test, a redelivery): made at once, outside the dispatcher's
// order and retries, and recorded like any other attempt (manual: true) with an audit entry.
import { randomUUID } from "node:crypto";
import type { Context } from "../../context.ts";
import type { StatusEventKind, Webhook } from "../../generated/prisma/client.ts";
import { actorOf } from "../auth/viewer.ts";
import { deliverOnce } from "./deliver.ts";
import type { NotificationPayload } from "./messages.ts";

export async function deliverManually(
  ctx: Context,
  webhook: Webhook,
  notification: { payload: NotificationPayload; position: bigint; kind: StatusEventKind | null; attempt: number },
  action: "webhook.test" | "webhook.redeliver",
) {
  const id = randomUUID();
  const startedAt = new Date();
  const result = await deliverOnce(webhook, notification.payload, id, ctx.services.webhooks.settings);
  return ctx.services.mutations.run(webhook.organizationId, actorOf(ctx.viewer), async (m) => {
    const delivery = await m.tx.webhookDelivery.create({
      data: {
        id,
        organizationId: m.organizationId,
        webhookId: webhook.id,
        position: notification.position,
        kind: notification.kind,
        attempt: notification.attempt,
        responseStatus: result.status,
        succeeded: result.succeeded,
        durationMs: result.durationMs,
        error: result.error,
        manual: true,
        createdAt: startedAt,
      },
    });
    m.audit(action, webhook.id);
    return delivery;
  });
}
