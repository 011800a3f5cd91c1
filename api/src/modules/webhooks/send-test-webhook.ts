import type { Context } from "../../context.ts";
import { deliverManually } from "./manual-delivery.ts";
import { testNotificationOf } from "./payload.ts";

/** One attempt now with a TEST notification (cursor 0); also to a disabled webhook. */
export async function sendTestWebhook({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  const webhook = await ctx.prisma.webhook.findFirstOrThrow({ where: { id, organizationId, deletedAt: null } });
  const payload = await testNotificationOf(ctx.prisma, organizationId, ctx.services.publicUrl());
  return deliverManually(ctx, webhook, { payload, position: 0n, kind: null, attempt: 1 }, "webhook.test");
}
