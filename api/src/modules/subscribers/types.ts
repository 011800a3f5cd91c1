// Email subscribers (docs/adr/0021): admins list and remove them; visitors subscribe, confirm,
// change their services and unsubscribe on /graphql/public too, with the links of the mails
// (signed tokens). No public answer ever carries an address. Resolvers stay thin.
import { z } from "zod";
import type { Service, Subscriber } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { PageInfoRef } from "../../graphql/page-info.ts";
import { encodeKey, newestFirstPage, type page } from "../../graphql/pagination.ts";
import { OrganizationRef, ServiceRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import type { Context } from "../../context.ts";
import { PublicOrganizationRef } from "../public/types.ts";
import { confirmSubscription } from "./confirm-subscription.ts";
import { removeSubscriber } from "./remove-subscriber.ts";
import type { EmailSubscriptionShape } from "./shared.ts";
import { subscribeToStatusPage } from "./subscribe.ts";
import { MAX_TOKEN_LENGTH } from "./tokens.ts";
import { unsubscribe } from "./unsubscribe.ts";
import { updateSubscription } from "./update-subscription.ts";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

/** The chosen services that still exist, in the page's order; [] means all. */
async function chosenServices(ctx: Context, organizationId: string, serviceIds: string[]): Promise<Service[]> {
  const services = await Promise.all(serviceIds.map((id) => ctx.loaders.service.load(id)));
  return services
    .filter((s): s is Service => s != null && !s.deletedAt && s.organizationId === organizationId)
    .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

const SubscriberRef = builder.objectRef<Subscriber>("Subscriber").implement({
  description:
    "An address subscribed to the organisation's status page. Until confirmedAt it gets nothing but confirmation mails (double opt-in); " +
    "unsubscribing deletes it. A subscriber whose mails kept failing (10 attempts at one mail over about 17 minutes) gets no more mails.",
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email", { description: "Lower-cased as it was subscribed." }),
    services: t.field({
      type: [ServiceRef],
      description:
        "The services it follows; empty: all of the page's services. Deleted services are left out (one that chose only services deleted since gets no mail).",
      resolve: (s, _, ctx) => chosenServices(ctx, s.organizationId, s.serviceIds),
    }),
    confirmedAt: t.expose("confirmedAt", { type: "DateTime", nullable: true, description: "Null until the address opened the confirmation link." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    disabledReason: t.exposeString("disabledReason", {
      nullable: true,
      description: "Set when its mails kept failing and the server stopped sending; null otherwise. Only the address itself can turn mails back on, by subscribing again (a new confirmation mail, double opt-in): an admin cannot, since consent is the address owner's to give.",
    }),
  }),
});

const SubscriberEdgeRef = builder.objectRef<Subscriber>("SubscriberEdge").implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (s) => encodeKey(s) }),
    node: t.field({ type: SubscriberRef, resolve: (s) => s }),
  }),
});

const SubscriberConnectionRef = builder.objectRef<ReturnType<typeof page<Subscriber>> & { organizationId: string }>("SubscriberConnection").implement({
  description: "A page of subscribers, newest first (Relay connection shape, plus `nodes`).",
  fields: (t) => ({
    edges: t.field({ type: [SubscriberEdgeRef], resolve: (c) => c.nodes }),
    nodes: t.field({ type: [SubscriberRef], resolve: (c) => c.nodes }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (c) => c }),
    totalCount: t.int({
      description: "All subscribers of the page, confirmed or not.",
      resolve: (c, _, ctx) => ctx.prisma.subscriber.count({ where: { organizationId: c.organizationId } }),
    }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  subscribers: t.field({
    type: SubscriberConnectionRef,
    description: "Admins only. Also as CSV: GET /api/admin/organizations/<id>/subscribers.csv with the same Bearer token.",
    args: {
      first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(200) }),
      after: t.arg.string({ required: false }),
    },
    authScopes: (org) => ({ admin: org.id }),
    resolve: async (org, args, ctx) => ({
      ...(await newestFirstPage(args, 50, ({ where, ...window }) => ctx.prisma.subscriber.findMany({ where: { organizationId: org.id, ...where }, ...window }))),
      organizationId: org.id,
    }),
  }),
}));

const EmailSubscriptionRef = builder.objectRef<EmailSubscriptionShape>("EmailSubscription").implement({
  description: "A subscription as its link's holder sees it: the page and the chosen services, never the address.",
  ...everywhere,
  fields: (t) => ({
    page: t.field({ type: PublicOrganizationRef, resolve: (s) => s.organization }),
    services: t.field({
      type: [ServiceRef],
      description: "The services it follows; empty: all of the page's services.",
      resolve: (s, _, ctx) => chosenServices(ctx, s.organization.id, s.serviceIds),
    }),
    confirmed: t.boolean({ resolve: (s) => s.confirmed }),
  }),
});

const token = z.string().min(1, "must not be empty").max(MAX_TOKEN_LENGTH, "is not a link's token");
const serviceIds = z
  .array(v.id)
  .max(100, "Choose at most 100 services.")
  .refine((list) => new Set(list).size === list.length, "Choose each service once.");

const SubscribeInput = builder.inputType("SubscribeInput", {
  ...everywhere,
  fields: (t) => ({
    slug: t.string({ validate: z.string().min(1, "must not be empty").max(100, "is not a page's slug") }),
    email: t.string({ validate: v.email }),
    serviceIds: t.idList({
      required: false,
      defaultValue: [],
      validate: serviceIds.nullish(),
      description: "The services to follow, all of this page; empty (the default): all of them.",
    }),
  }),
});

const UpdateSubscriptionInput = builder.inputType("UpdateSubscriptionInput", {
  ...everywhere,
  fields: (t) => ({
    token: t.string({ validate: token, description: "The token of the link in a mail (the manage link's, or a confirmation link's while it is valid)." }),
    serviceIds: t.idList({ validate: serviceIds, description: "The services to follow, all of this page; empty: all of them." }),
  }),
});

const TOKEN_ERRORS =
  "A forged, malformed or expired token, or one whose subscription was removed, is BAD_USER_INPUT with extensions.field \"token\". " +
  "Accepts the token of the manage link (never expires) or of a confirmation link (48 hours).";

builder.mutationFields((t) => ({
  subscribeToStatusPage: t.boolean({
    ...everywhere,
    description:
      "Public (also on /graphql/public). Subscribes an address to a page's incident and maintenance mails: all services, or the chosen ones. " +
      "Always answers true, the same whether the address is new, waiting for confirmation or confirmed. A new or unconfirmed address is sent " +
      "a confirmation link (valid 48 hours; nothing else is sent until it is opened; an unconfirmed address takes the latest choice of services); " +
      "a confirmed one is sent a mail with its manage and unsubscribe links instead, and its choice is not changed. At most one such mail per " +
      "address and page every 5 minutes. An unknown slug is NOT_FOUND; an invalid address BAD_USER_INPUT (field email); services not of this " +
      "page BAD_USER_INPUT (field serviceIds). Rate-limited per IP and per address (RATE_LIMITED).",
    args: { input: t.arg({ type: SubscribeInput }) },
    resolve: (_, { input }, ctx) => subscribeToStatusPage({ ctx, input: { slug: input.slug, email: input.email, serviceIds: (input.serviceIds ?? []).map(String) } }),
  }),
  confirmSubscription: t.field({
    ...everywhere,
    type: EmailSubscriptionRef,
    description:
      "Public. Confirms the subscription of a confirmation link; from then on the address gets the mails of new events (none of the past). " +
      "Idempotent: on a confirmed subscription (or with the manage token) it only answers the subscription, which is how the manage page " +
      `reads it. ${TOKEN_ERRORS} Rate-limited per IP.`,
    args: { token: t.arg.string({ required: true, validate: token }) },
    resolve: (_, args, ctx) => confirmSubscription({ ctx, token: args.token }),
  }),
  updateSubscription: t.field({
    ...everywhere,
    type: EmailSubscriptionRef,
    description: `Public. Changes the services a subscription follows (empty: all); services not of its page are BAD_USER_INPUT (field serviceIds). ${TOKEN_ERRORS} Rate-limited per IP.`,
    args: { input: t.arg({ type: UpdateSubscriptionInput }) },
    resolve: (_, { input }, ctx) => updateSubscription({ ctx, input: { token: input.token, serviceIds: input.serviceIds.map(String) } }),
  }),
  unsubscribe: t.boolean({
    ...everywhere,
    description:
      "Public. Ends the subscription and deletes the address. True also when it had already ended (a second click). A forged, malformed or " +
      "expired token is BAD_USER_INPUT (field token). Mails carry the same as a one-click link (RFC 8058): " +
      "POST /api/subscriptions/unsubscribe?token=<token> with body List-Unsubscribe=One-Click. Rate-limited per IP.",
    args: { token: t.arg.string({ required: true, validate: token }) },
    resolve: (_, args, ctx) => unsubscribe({ ctx, token: args.token }),
  }),
  removeSubscriber: t.field({
    type: "ID",
    description: "Admins only. Deletes the subscriber (as if it had unsubscribed); nothing more is sent to it.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "subscriber", String(args.id)) }),
    resolve: async (_, args, ctx) => removeSubscriber({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "subscriber", String(args.id)) }),
  }),
}));
