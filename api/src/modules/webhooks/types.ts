// Webhooks (admins only): signed JSON, Slack or Discord messages for the events of chosen kinds,
// delivered in log order with retries (dispatcher.ts, docs/adr/0020). Resolvers stay thin.
import { z } from "zod";
import type { Webhook, WebhookDelivery } from "../../generated/prisma/client.ts";
import { WebhookFormat } from "../../generated/prisma/enums.ts";
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { OrganizationRef, StatusEventKindEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { encodeCursor } from "../events/cursor.ts";
import { createWebhook } from "./create-webhook.ts";
import { deleteWebhook } from "./delete-webhook.ts";
import { MAX_URL_LENGTH } from "./domain.ts";
import { redeliverWebhook } from "./redeliver-webhook.ts";
import { sendTestWebhook } from "./send-test-webhook.ts";
import { updateWebhook } from "./update-webhook.ts";

const WebhookFormatEnum = builder.enumType(WebhookFormat, {
  name: "WebhookFormat",
  description:
    "JSON: our own body (API.md), signed with X-Statuspage-Signature. SLACK and DISCORD: those services' incoming-webhook messages " +
    "(readable text with the page, the incident, its status, latest update, affected services and a link), not signed.",
});

const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>("WebhookDelivery").implement({
  description:
    "One attempt to deliver one event (or a test) to a webhook. Its id is the X-Statuspage-Delivery header of that attempt; receivers that " +
    "want each event once should key on the body's cursor, which is the same for every attempt at an event.",
  fields: (t) => ({
    id: t.exposeID("id"),
    eventCursor: t.string({ description: "The event's cursor; 0000000000000000 for a test delivery.", resolve: (d) => encodeCursor(d.position) }),
    attempt: t.exposeInt("attempt", { description: "1 for the first attempt at this event, then 2, 3…; a redelivery continues the count." }),
    responseStatus: t.exposeInt("responseStatus", { nullable: true, description: "The receiver's HTTP status; null when no answer came." }),
    succeeded: t.exposeBoolean("succeeded", { description: "A 2xx answer within the time limit." }),
    durationMs: t.exposeInt("durationMs", { nullable: true }),
    error: t.exposeString("error", { nullable: true, description: "Why it failed (no answer in time, connection refused, HTTP 500, a refused private target…)." }),
    nextAttemptAt: t.expose("nextAttemptAt", {
      type: "DateTime",
      nullable: true,
      description: "After a failed attempt: when the next one is due. Null after a success, after the last attempt, and for tests and redeliveries.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the attempt started." }),
  }),
});

const WebhookRef = builder.objectRef<Webhook>("Webhook").implement({
  description:
    "Events of the listed kinds are POSTed to url in log order. A failed attempt is tried again after about 2 s, then after waits that " +
    "double (±20 %), 10 attempts over about 17 minutes; after the last one the webhook is disabled (disabledReason says why). " +
    "Targets on loopback, private, link-local and other internal addresses are refused unless the server sets ALLOW_PRIVATE_WEBHOOKS=1.",
  fields: (t) => ({
    id: t.exposeID("id"),
    url: t.exposeString("url"),
    kinds: t.field({ type: [StatusEventKindEnum], resolve: (w) => w.kinds }),
    format: t.field({ type: WebhookFormatEnum, resolve: (w) => w.format }),
    enabled: t.exposeBoolean("enabled"),
    disabledReason: t.exposeString("disabledReason", { nullable: true, description: "Set when deliveries kept failing and the server disabled it; null when an admin did." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveries: t.field({
      type: [WebhookDeliveryRef],
      description: "The latest attempts, newest first (kept for 30 days).",
      args: { first: t.arg.int({ required: false, defaultValue: 20, validate: z.number().int().min(1).max(100) }) },
      resolve: (w, args, ctx) =>
        ctx.prisma.webhookDelivery.findMany({
          where: { organizationId: w.organizationId, webhookId: w.id },
          orderBy: [{ createdAt: "desc" }, { attempt: "desc" }],
          take: args.first ?? 20,
        }),
    }),
  }),
});

const CreatedWebhookRef = builder.objectRef<Awaited<ReturnType<typeof createWebhook>>>("CreatedWebhook").implement({
  fields: (t) => ({
    secret: t.exposeString("secret", {
      description: "The HMAC-SHA256 key of X-Statuspage-Signature (whsec_…). Shown only in this response: store it now.",
    }),
    webhook: t.field({ type: WebhookRef, resolve: (c) => c.webhook }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  webhooks: t.field({
    type: [WebhookRef],
    description: "Newest first. Admins only.",
    authScopes: (org) => ({ admin: org.id }),
    resolve: (org, _, ctx) => ctx.prisma.webhook.findMany({ where: { organizationId: org.id, deletedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
  }),
}));

const url = z.string().trim().min(1, "must not be empty").max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`);
const kinds = z.array(z.string()).min(1, "must name at least one kind").max(50);

const CreateWebhookInput = builder.inputType("CreateWebhookInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    url: t.string({ validate: url, description: "http:// or https://, no credentials; redirects are not followed." }),
    kinds: t.field({ type: [StatusEventKindEnum], validate: kinds, description: "The kinds of event to send; at least one." }),
    format: t.field({ type: WebhookFormatEnum, required: false, defaultValue: "JSON" }),
  }),
});

const UpdateWebhookInput = builder.inputType("UpdateWebhookInput", {
  description: "Omitted fields stay as they are. enabled: true on a disabled webhook resumes it with the events committed from then on.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    url: t.string({ required: false, validate: url.nullish() }),
    kinds: t.field({ type: [StatusEventKindEnum], required: false, validate: kinds.nullish() }),
    format: t.field({ type: WebhookFormatEnum, required: false }),
    enabled: t.boolean({ required: false }),
  }),
});

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreatedWebhookRef,
    description: "Admins only. Sends the events committed from now on; the secret is shown once.",
    args: { input: t.arg({ type: CreateWebhookInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) =>
      createWebhook({ ctx, input: { organizationId: String(input.organizationId), url: input.url, kinds: input.kinds, format: input.format ?? "JSON" } }),
  }),
  updateWebhook: t.field({
    type: WebhookRef,
    description: "Admins only.",
    args: { input: t.arg({ type: UpdateWebhookInput }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "webhook", String(args.input.id)) }),
    resolve: async (_, { input }, ctx) =>
      updateWebhook({ ctx, organizationId: await ownerOf(ctx, "webhook", String(input.id)), input: { ...input, id: String(input.id) } }),
  }),
  deleteWebhook: t.field({
    type: "ID",
    description: "Admins only; nothing more is sent to it.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "webhook", String(args.id)) }),
    resolve: async (_, args, ctx) => deleteWebhook({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "webhook", String(args.id)) }),
  }),
  sendTestWebhook: t.field({
    type: WebhookDeliveryRef,
    description: "Admins only. Sends a TEST notification now (X-Statuspage-Event: TEST, cursor 0000000000000000) and answers with the attempt.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "webhook", String(args.id)) }),
    resolve: async (_, args, ctx) => sendTestWebhook({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "webhook", String(args.id)) }),
  }),
  redeliverWebhook: t.field({
    type: WebhookDeliveryRef,
    description:
      "Admins only. Sends the event of that delivery again now, with its objects as they are now, and answers with the attempt " +
      "(not retried; the webhook's other deliveries go on in order).",
    args: { deliveryId: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "webhookDelivery", String(args.deliveryId)) }),
    resolve: async (_, args, ctx) =>
      redeliverWebhook({ ctx, deliveryId: String(args.deliveryId), organizationId: await ownerOf(ctx, "webhookDelivery", String(args.deliveryId)) }),
  }),
}));
