// Organisations, users and memberships; the viewer and organization queries; sign up and log in.
import { builder } from "../../graphql/builder.ts";
import { MembershipRef, OrganizationRef, PageStatusRef, RoleEnum, StatusIndicatorEnum, UserRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { logIn } from "../auth/log-in.ts";
import { signUp } from "../auth/sign-up.ts";
import { pageStatusOf } from "./page-status.ts";
import { updateOrganization } from "./update-organization.ts";

PageStatusRef.implement({
  subGraphs: ["Admin", "Public"],
  fields: (t) => ({
    indicator: t.field({ type: StatusIndicatorEnum, resolve: (s) => s.indicator }),
    description: t.exposeString("description"),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When a service's status last changed." }),
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
      description: "A host name of the organisation's own that serves its status page at / (point it at this server).",
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

const AuthPayloadRef = builder.objectRef<{ token: string; user: Awaited<ReturnType<typeof logIn>>["user"] }>("AuthPayload").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "A session token: send it as 'Authorization: Bearer <token>'." }),
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
  }),
});

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    email: t.string({ validate: v.email }),
    password: t.string({ validate: v.password }),
    name: t.string({ validate: v.name }),
    organizationName: t.string({ validate: v.name }),
    organizationSlug: t.string({ required: false, validate: v.slug.nullish(), description: "Derived from organizationName when omitted." }),
  }),
});

const LogInInput = builder.inputType("LogInInput", {
  fields: (t) => ({
    email: t.string({ validate: v.email }),
    password: t.string({ validate: v.loginPassword }),
  }),
});

const UpdateOrganizationInput = builder.inputType("UpdateOrganizationInput", {
  description: "Omitted fields keep their value; customDomain set to null is removed.",
  fields: (t) => ({
    id: t.id({ validate: v.id }),
    name: t.string({ required: false, validate: v.name.nullish() }),
    customDomain: t.string({ required: false, validate: v.hostName.nullish() }),
  }),
});

builder.mutationFields((t) => ({
  updateOrganization: t.field({
    type: OrganizationRef,
    description: "Renames the organisation or sets its custom domain. Admins only.",
    args: { input: t.arg({ type: UpdateOrganizationInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.id) }),
    resolve: (_, { input }, ctx) => updateOrganization({ ctx, input: { ...input, id: String(input.id) } }),
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
