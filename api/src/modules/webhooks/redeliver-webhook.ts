import type { Context } from "../../context.ts";
import { deliverManually } from "./manual-delivery.ts";
import { notificationOf, testNotificationOf } from "./payload.ts";

/**
 * One more attempt now at the event (or test) of the given delivery, with the objects as they
 * are now; its attempt number follows the last one at that event. Not retried, and it does not
 * move the webhook's place in the log.
 */
export async function redeliverWebhook({ ctx, deliveryId, organizationId }: { ctx: Context; deliveryId: string; organizationId: string }) {
  const { prisma } = ctx;
  const original = await prisma.webhookDelivery.findFirstOrThrow({ where: { id: deliveryId, organizationId }, include: { webhook: true } });
  const previous = await prisma.webhookDelivery.aggregate({ where: { webhookId: original.webhookId, position: original.position }, _max: { attempt: true } });
  const attempt = (previous._max.attempt ?? original.attempt) + 1;
  const publicUrl = ctx.services.publicUrl();
  const event = original.position === 0n ? null : await prisma.event.findUniqueOrThrow({ where: { organizationId_position: { organizationId, position: original.position } } });
  const payload = event ? await notificationOf(prisma, event, publicUrl) : await testNotificationOf(prisma, organizationId, publicUrl);
  return deliverManually(ctx, original.webhook, { payload, position: original.position, kind: original.kind, attempt }, "webhook.redeliver");
}
