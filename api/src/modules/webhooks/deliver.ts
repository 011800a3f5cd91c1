// One attempt at one notification to one webhook, as the dispatcher and the admin's test and
// redeliver buttons make it: the body in the webhook's format, the headers of API.md, the POST.
import type { WebhookFormat } from "../../generated/prisma/enums.ts";
import { signatureOf, type RetryPolicy } from "./domain.ts";
import { bodyOf, type NotificationPayload } from "./messages.ts";
import { postWebhook, type SendResult } from "./send.ts";

export interface WebhookSettings {
  retry: RetryPolicy;
  /** ALLOW_PRIVATE_WEBHOOKS: loopback and private targets are allowed (local use, tests). */
  allowPrivate: boolean;
  /** How often every instance looks for due webhooks when no announcement woke it. */
  pollIntervalMs: number;
  /** How long a claim on a webhook lasts without renewal (an instance that died loses it then). */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: Omit<WebhookSettings, "retry" | "allowPrivate"> = { pollIntervalMs: 1_000, leaseMs: 60_000 };

export interface Destination {
  url: string;
  format: WebhookFormat;
  secret: string;
}

export function deliverOnce(destination: Destination, payload: NotificationPayload, deliveryId: string, settings: WebhookSettings): Promise<SendResult> {
  const body = bodyOf(destination.format, payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Statuspage-Webhooks/1.0",
    "x-statuspage-event": payload.kind,
    "x-statuspage-delivery": deliveryId,
  };
  // Slack's and Discord's endpoints verify nothing of ours: only our own format is signed (API.md).
  if (destination.format === "JSON") headers["x-statuspage-signature"] = signatureOf(destination.secret, body);
  return postWebhook({ url: destination.url, body, headers, timeoutMs: settings.retry.timeoutMs, allowPrivate: settings.allowPrivate });
}
