// Organisations, users and memberships; the viewer and organization queries; sign up and log in.
import { builder } from "../../graphql/builder.ts";
import { MembershipRef, OrganizationRef, PageStatusRef, RoleEnum, StatusIndicatorEnum, UserRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { logIn } from "../auth/log-in.ts";
import { signUp } from "../auth/sign-up.ts";
import { pageStatusOf } from "./page-status.ts";
import { challengeOf, type CustomDomainChallenge } from "./custom-domain.ts";
import { updateOrganization } from "./update-organization.ts";
import { verifyCustomDomain } from "./verify-custom-domain.ts";

PageStatusRef.implement({
  subGraphs: ["Admin", "Public"],
  fields: (t) => ({
    indicator: t.field({ type: StatusIndicatorEnum, resolve: (s) => s.indicator }),
    description: t.exposeString("description"),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When a service's status last changed." }),
  }),
});

const CustomDomainChallengeRef = builder.objectRef<CustomDomainChallenge>("CustomDomainChallenge").implement({
  description:
    "Proof that a claimed host is yours, by either of two ways. HTTP: point the host at this server (it answers httpUrl itself; no redirects are followed). DNS: publish a TXT record dnsName with the value dnsValue (needed to take over a domain another organisation serves). Then call verifyCustomDomain.",
  fields: (t) => ({
    domain: t.exposeString("domain", { description: "The claimed host (pendingCustomDomain)." }),
    token: t.exposeString("token", { description: "The secret the host must answer; a new claim gets a new one." }),
    httpUrl: t.exposeString("httpUrl", { description: "Must answer 200 with the token as its body (this server does, once the host points at it)." }),
    dnsName: t.exposeString("dnsName", { description: "The name of the TXT record: _statuspage-challenge.<domain>." }),
    dnsValue: t.exposeString("dnsValue", { description: "The TXT record's value: the token." }),
  }),
});

OrganizationRef.implement({
  description: "A tenant: everything below belongs to exactly one organisation. Visible to its members only.",
  fields: (t) => ({
    id: t.exposeID("id"),
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    customDomain: t.exposeString("customDomain", {
      nullable: true,
      description:
        "The organisation's own host name that serves its status page at / — only once proven with verifyCustomDomain. A claim (updateOrganization) waits in pendingCustomDomain and serves nothing.",
    }),
    customDomainVerifiedAt: t.expose("customDomainVerifiedAt", {
      type: "DateTime",
      nullable: true,
      description: "When customDomain was proven (verifyCustomDomain).",
    }),
    pendingCustomDomain: t.exposeString("pendingCustomDomain", {
      nullable: true,
      description:
        "Admins only. A host name claimed with updateOrganization but not yet proven: it serves nothing until verifyCustomDomain finds customDomainChallenge answered. Several organisations may claim the same host; the first proof wins.",
      authScopes: (org) => ({ admin: org.id }),
    }),
    customDomainChallenge: t.field({
      type: CustomDomainChallengeRef,
      nullable: true,
      description: "Admins only. What the pending custom domain must answer before verifyCustomDomain accepts it; null when nothing is pending.",
      authScopes: (org) => ({ admin: org.id }),
      resolve: (org, _, ctx) => challengeOf(org, ctx.services.customDomains.checkPort()),
    }),
    status: t.field({ type: PageStatusRef, resolve: (org, _, ctx) => pageStatusOf(ctx.prisma, org) }),
    members: t.field({
      type: [MembershipRef],
      description: "Admins only.",
      authScopes: (org) => ({ admin: org.id }),
      resolve: (org, _, ctx) =>
        ctx.prisma.membership.findMany({ where: { organizationId: org.id }, orderBy: [{ role: "asc" }, { createdAt: "asc" }] }),
    }),
  }),
});

UserRef.implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    name: t.exposeString("name"),
    memberships: t.field({
      type: [MembershipRef],
      description: "Only the viewer's own memberships are listed; for anyone else this is empty.",
      resolve: (user, _, ctx) =>
        ctx.viewer.kind === "user" && ctx.viewer.userId === user.id
          ? ctx.prisma.membership.findMany({ where: { userId: user.id }, orderBy: { createdAt: "asc" } })
          : [],
    }),
  }),
});

MembershipRef.implement({
  fields: (t) => ({
    role: t.field({ type: RoleEnum, resolve: (m) => m.role }),
    organization: t.field({ type: OrganizationRef, resolve: async (m, _, ctx) => (await ctx.loaders.organization.load(m.organizationId))! }),
    user: t.field({ type: UserRef, resolve: async (m, _, ctx) => (await ctx.loaders.user.load(m.userId))! }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    subGraphs: ["Admin"],
    description: "The signed-in user; null when anonymous or when calling with an API token.",
    resolve: (_, __, ctx) => (ctx.viewer.kind === "user" ? ctx.loaders.user.load(ctx.viewer.userId) : null),
  }),
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    subGraphs: ["Admin"],
    description: "Null unless the caller is a member (or an API token) of that organisation.",
    args: { slug: t.arg.string({ required: true }) },
    authScopes: { signedIn: true },
    resolve: async (_, args, ctx) => {
      const org = await ctx.prisma.organization.findUnique({ where: { slug: args.slug.toLowerCase() } });
      return org && (await ctx.access.roleIn(org.id)) ? org : null;
    },
  }),
}));

export const AuthPayloadRef = builder.objectRef<{ token: string; user: Awaited<ReturnType<typeof logIn>>["user"] }>("AuthPayload").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "A session token: send it as 'Authorization: Bearer <token>'." }),
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
  }),
});

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    email: t.string({ validate: v.email }),
    password: t.string({
      validate: v.password,
      description: "At least 10 characters, not only spaces, and not one of the most common passwords.",
    }),
    name: t.string({ validate: v.name }),
    organizationName: t.string({ validate: v.name }),
    organizationSlug: t.string({
      required: false,
      validate: v.slug.nullish(),
      description:
        "The page's address (URL path and host name). Derived from organizationName when omitted: a derived address that is " +
        'taken or reserved (www, api, admin, mail, status, …) becomes the next free one ("www" → "www-2"); an explicit one ' +
        "that is reserved is BAD_USER_INPUT, one that is taken CONFLICT.",
    }),
  }),
});

const LogInInput = builder.inputType("LogInInput", {
  fields: (t) => ({
    email: t.string({ validate: v.email }),
    password: t.string({ validate: v.loginPassword }),
  }),
});

const UpdateOrganizationInput = builder.inputType("UpdateOrganizationInput", {
  description:
    "Omitted fields keep their value. customDomain claims a host name (it becomes pendingCustomDomain with a challenge, and serves nothing until verifyCustomDomain proves it); null removes the claim and the verified domain.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    name: t.string({ required: false, validate: v.name.nullish() }),
    customDomain: t.string({ required: false, validate: v.hostName.nullish() }),
  }),
});

builder.mutationFields((t) => ({
  updateOrganization: t.field({
    type: OrganizationRef,
    description: "Renames the organisation or claims (or removes) its custom domain. Admins only.",
    args: { input: t.arg({ type: UpdateOrganizationInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.id) }),
    resolve: (_, { input }, ctx) => updateOrganization({ ctx, input: { ...input, id: String(input.id) } }),
  }),
  verifyCustomDomain: t.field({
    type: OrganizationRef,
    description:
      "Asks the pending custom domain for its challenge (customDomainChallenge: HTTP or DNS TXT) and, when it answers, makes it customDomain, which then serves the page. A domain another organisation serves moves to the prover, by the DNS record only. Failure is BAD_USER_INPUT on customDomain, saying why, and changes nothing. Admins only.",
    args: { organizationId: t.arg.id({ required: true, validate: v.id }) },
    authScopes: (_, args) => ({ admin: String(args.organizationId) }),
    resolve: (_, args, ctx) => verifyCustomDomain({ ctx, organizationId: String(args.organizationId) }),
  }),
  signUp: t.field({
    type: AuthPayloadRef,
    description: "Creates a user, a new organisation and makes the user its ADMIN.",
    args: { input: t.arg({ type: SignUpInput }) },
    resolve: (_, { input }, ctx) => signUp({ ctx, input }),
  }),
  logIn: t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: LogInInput }) },
    resolve: (_, { input }, ctx) => logIn({ ctx, input }),
  }),
}));
