// Member management mutations (admins only). The Membership type lives with organisations.
import { builder } from "../../graphql/builder.ts";
import { MembershipRef, RoleEnum } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { addMember } from "./add-member.ts";
import { removeMember, updateMemberRole } from "./change-member.ts";

const AddMemberInput = builder.inputType("AddMemberInput", {
  description: "An existing account joins as it is; a new email needs name and password.",
  fields: (t) => ({
    organizationId: t.id({ validate: v.id }),
    email: t.string({ validate: v.email }),
    role: t.field({ type: RoleEnum }),
    name: t.string({ required: false, validate: v.name.nullish() }),
    password: t.string({ required: false, validate: v.password.nullish() }),
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
  addMember: t.field({
    type: MembershipRef,
    description: "Admins only.",
    args: { input: t.arg({ type: AddMemberInput }) },
    authScopes: (_, args) => ({ admin: String(args.input.organizationId) }),
    resolve: (_, { input }, ctx) => addMember({ ctx, input: { ...input, organizationId: String(input.organizationId) } }),
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
}));
