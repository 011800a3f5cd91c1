// Members and invitations (admins), acceptance (anyone holding the link), leaving (members).
// Nobody sets another person's password: people join by accepting an invitation
// (docs/adr/0008-invitations.md). The Membership type lives with organisations.
import type { Invitation } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { ownerOf } from "../../graphql/owners.ts";
import { MembershipRef, OrganizationRef, RoleEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { AuthPayloadRef } from "../orgs/types.ts";
import { acceptInvitation } from "./accept-invitation.ts";
import { leaveOrganization, removeMember, updateMemberRole } from "./change-member.ts";
import { inviteMember } from "./invite-member.ts";
import { revokeInvitation } from "./revoke-invitation.ts";

const InvitationRef = builder.objectRef<Invitation>("Invitation").implement({
  description: "An invitation of an email address to the organisation, pending until accepted, revoked or expired.",
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    role: t.field({ type: RoleEnum, description: "The role the person gets on joining (a current member keeps theirs).", resolve: (i) => i.role }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "Seven days after it was made." }),
  }),
});

const CreatedInvitationRef = builder.objectRef<{ url: string; invitation: Invitation }>("CreatedInvitation").implement({
  fields: (t) => ({
    url: t.exposeString("url", {
      description: "The link to accept (its secret is in the #fragment). Shown only in this response; also mailed when SMTP_URL is set.",
    }),
    invitation: t.field({ type: InvitationRef, resolve: (c) => c.invitation }),
  }),
});

builder.objectFields(OrganizationRef, (t) => ({
  invitations: t.field({
    type: [InvitationRef],
    description: "Pending invitations (not accepted, revoked or expired), newest first. Admins only.",
    authScopes: (org) => ({ admin: org.id }),
    resolve: (org, _, ctx) =>
      ctx.prisma.invitation.findMany({
        where: { organizationId: org.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
}));

const InviteMemberInput = builder.inputType("InviteMemberInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    email: t.string({ validate: v.email }),
    role: t.field({ type: RoleEnum }),
  }),
});

const invitationToken = v.id.regex(/^[A-Za-z0-9_-]+$/, "is not an invitation token");

const AcceptInvitationInput = builder.inputType("AcceptInvitationInput", {
  description:
    "No account for the invited address: name and password make one. An account that never proved its address (made by signUp): " +
    "password sets a new one and ends its other sessions. A proven account: sign in as it, or give its password.",
  fields: (t) => ({
    token: t.string({ validate: invitationToken, description: "The part of the link after '#'." }),
    name: t.string({ required: false, validate: v.name.nullish() }),
    password: t.string({ required: false, validate: v.loginPassword.nullish(), description: "A new password, or the account's own (see above)." }),
  }),
});

const UpdateMemberRoleInput = builder.inputType("UpdateMemberRoleInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    userId: t.id({ validate: v.id }),
    role: t.field({ type: RoleEnum }),
  }),
});

const RemoveMemberInput = builder.inputType("RemoveMemberInput", {
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    userId: t.id({ validate: v.id }),
  }),
});

builder.mutationFields((t) => ({
  inviteMember: t.field({
    type: CreatedInvitationRef,
    description:
      "Admins only. The same answer whether the address has an account, is already a member or is new. " +
      "Replaces a pending invitation of the same address to this organisation.",
    args: { input: t.arg({ type: InviteMemberInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) => inviteMember({ ctx, input: { ...input, organizationId: String(input.organizationId) } }),
  }),
  acceptInvitation: t.field({
    type: AuthPayloadRef,
    description:
      "Anyone holding the link; signs in as the invited address. A link that is unknown, expired, revoked or used is " +
      "BAD_USER_INPUT (field token). A current member keeps their role. Rate-limited like logIn.",
    args: { input: t.arg({ type: AcceptInvitationInput }) },
    resolve: (_, { input }, ctx) => acceptInvitation({ ctx, input }),
  }),
  revokeInvitation: t.field({
    type: "ID",
    description: "Admins only; the link stops working. An accepted or revoked invitation is NOT_FOUND.",
    args: { id: t.arg.id({ required: true, validate: v.id }) },
    authScopes: async (_, args, ctx) => ({ admin: await ownerOf(ctx, "invitation", String(args.id)) }),
    resolve: async (_, args, ctx) => revokeInvitation({ ctx, id: String(args.id), organizationId: await ownerOf(ctx, "invitation", String(args.id)) }),
  }),
  updateMemberRole: t.field({
    type: MembershipRef,
    description: "Admins only. The last admin cannot be demoted (INVALID_TRANSITION).",
    args: { input: t.arg({ type: UpdateMemberRoleInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) =>
      updateMemberRole({ ctx, input: { organizationId: String(input.organizationId), userId: String(input.userId), role: input.role } }),
  }),
  removeMember: t.field({
    type: "ID",
    description: "Admins only; returns the user's id. The last admin cannot be removed (INVALID_TRANSITION).",
    args: { input: t.arg({ type: RemoveMemberInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) => removeMember({ ctx, input: { organizationId: String(input.organizationId), userId: String(input.userId) } }),
  }),
  leaveOrganization: t.field({
    type: "ID",
    description:
      "The signed-in person leaves; returns the organisation's id. The last admin cannot leave (INVALID_TRANSITION); " +
      "an API token cannot (FORBIDDEN).",
    args: { organizationId: t.arg.id({ required: true, validate: v.id }) },
    authScopes: (_, args) => ({ member: String(args.organizationId) }),
    resolve: (_, args, ctx) => leaveOrganization({ ctx, organizationId: String(args.organizationId) }),
  }),
}));
