// API tokens for third parties: bound to one organisation and one role, shown once, revocable.
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { ApiTokenRef, OrganizationRef, RoleEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { createApiToken, revokeApiToken } from "./create-api-token.ts";

ApiTokenRef.implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "Updated at most once a minute." }),
  }),
});

const CreatedApiTokenRef = builder.objectRef<Awaited<ReturnType<typeof createApiToken>>>("CreatedApiToken").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "The secret (sp_…). Shown only in this response: store it now." }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (c) => c.apiToken }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: "Tokens not revoked, newest first. Admins only.",
    authScopes: (org) => ({ admin: org.id }),
    resolve: (org, _, ctx) =>
      ctx.prisma.apiToken.findMany({ where: { organizationId: org.id, revokedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
  }),
}));

const CreateApiTokenInput = builder.inputType("CreateApiTokenInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    name: t.string({ validate: v.name }),
    role: t.field({ type: RoleEnum, description: "What the token may do: MEMBER reads and subscribes, ADMIN also writes." }),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiTokenRef,
    description: "Admins only.",
    args: { input: t.arg({ type: CreateApiTokenInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) => createApiToken({ ctx, input: { ...input, organizationId: String(input.organizationId) } }),
  }),
  revokeApiToken: t.field({
    type: "ID",
    description: "Admins only; the token stops working immediately.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "apiToken", String(args.id)) }),
    resolve: async (_, args, ctx) => revokeApiToken({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "apiToken", String(args.id)) }),
  }),
}));
