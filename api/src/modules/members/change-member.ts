// Changing a member's role, removing a member and leaving share one rule: an organisation always
// keeps at least one admin. Each records the change so that the person's open connections re-check.
import type { Context } from "../../context.ts";
import type { Role } from "../../generated/prisma/enums.ts";
import { forbidden, invalidTransition, notFound } from "../../graphql/errors.ts";
import type { MutationScope } from "../../lib/tx.ts";
import { recordAccessChange } from "../auth/access-changes.ts";
import { actorOf } from "../auth/viewer.ts";

async function lockMembership(m: MutationScope, userId: string) {
  await m.lockOrganization(); // two admins demoting each other at once cannot both succeed
  const membership = await m.tx.membership.findUnique({ where: { organizationId_userId: { organizationId: m.organizationId, userId } } });
  if (!membership) throw notFound("Member");
  return membership;
}

async function keepAnAdmin(m: MutationScope, leaving: { role: Role }) {
  if (leaving.role !== "ADMIN") return;
  const admins = await m.tx.membership.count({ where: { organizationId: m.organizationId, role: "ADMIN" } });
  if (admins <= 1) throw invalidTransition("An organization must keep at least one admin: make someone else admin first.");
}

export async function updateMemberRole({ ctx, input }: { ctx: Context; input: { organizationId: string; userId: string; role: Role } }) {
  return ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    const membership = await lockMembership(m, input.userId);
    if (input.role !== "ADMIN") await keepAnAdmin(m, membership);
    const updated = await m.tx.membership.update({
      where: { organizationId_userId: { organizationId: m.organizationId, userId: input.userId } },
      data: { role: input.role },
    });
    await recordAccessChange(m.tx, { kind: "MEMBERSHIP_CHANGED", subjectId: input.userId, organizationId: m.organizationId });
    m.audit("member.update_role", input.userId);
    return updated;
  });
}

/** Ends a membership (the last admin stays) and tells open connections of that person. */
async function endMembership(m: MutationScope, userId: string, action: "member.remove" | "member.leave"): Promise<void> {
  const membership = await lockMembership(m, userId);
  await keepAnAdmin(m, membership);
  await m.tx.membership.delete({ where: { organizationId_userId: { organizationId: m.organizationId, userId } } });
  await recordAccessChange(m.tx, { kind: "MEMBERSHIP_CHANGED", subjectId: userId, organizationId: m.organizationId });
  m.audit(action, userId);
}

export async function removeMember({ ctx, input }: { ctx: Context; input: { organizationId: string; userId: string } }) {
  return ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    await endMembership(m, input.userId, "member.remove");
    return input.userId;
  });
}

/** The caller leaves; answers the organisation's id. A session's person only: API tokens are revoked instead. */
export async function leaveOrganization({ ctx, organizationId }: { ctx: Context; organizationId: string }) {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user") throw forbidden("Only a signed-in person can leave an organization (revoke an API token instead).");
  return ctx.services.mutations.run(organizationId, actorOf(viewer), async (m) => {
    await endMembership(m, viewer.userId, "member.leave");
    return m.organizationId;
  });
}
