// Webhooks as a kind of destination of the notification pipeline (modules/notifications/
// dispatcher.ts, docs/adr/0020): enabled, not deleted rows take part; the body is POSTed in the
// webhook's format; each attempt is a WebhookDelivery.
import type { StatusEventKind, WebhookFormat } from "../../generated/prisma/enums.ts";
import { attemptColumns, type ClaimedRow, type DestinationKind } from "../notifications/dispatcher.ts";
import { deliverOnce, type WebhookSettings } from "./deliver.ts";
import { disabledReasonOf } from "./domain.ts";

export const DISPATCHER_ACTOR = "system:webhooks";

interface ClaimedWebhook extends ClaimedRow {
  url: string;
  kinds: StatusEventKind[];
  format: WebhookFormat;
  secret: string;
}

export function webhookDestinations(settings: WebhookSettings): DestinationKind<ClaimedWebhook> {
  return {
    name: "webhook",
    table: "Webhook",
    eligible: `h.enabled AND h."deletedAt" IS NULL`,
    columns: `w.url, w.kinds::text[] AS kinds, w.format::text AS format, w.secret`,
    actor: DISPATCHER_ACTOR,
    disableAction: "webhook.disable",
    kinds: (webhook) => webhook.kinds,
    send: (webhook, payload, attemptId) => deliverOnce(webhook, payload, attemptId, settings),
    async record(tx, webhook, attempt) {
      await tx.webhookDelivery.create({ data: { ...attemptColumns(webhook, attempt), webhookId: webhook.id, responseStatus: attempt.result.status } });
    },
    disabledReason: disabledReasonOf,
    update: async (db, id, leaseToken, data) => (await db.webhook.updateMany({ where: { id, leaseToken }, data })).count,
    organizations: async (prisma) =>
      (await prisma.webhook.findMany({ where: { enabled: true, deletedAt: null }, select: { organizationId: true }, distinct: ["organizationId"] })).map((row) => row.organizationId),
    prune: async (prisma, before) => void (await prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: before } } })),
  };
}
