import type { Context } from "../../context.ts";
import type { Role } from "../../generated/prisma/enums.ts";
import { actorOf } from "../auth/viewer.ts";
import { invitationMail } from "./invitation-mail.ts";
import { hashInvitationToken, INVITATION_TTL_MS, invitationUrl, newInvitationToken } from "./invitation-token.ts";

export interface InviteMemberInput {
  organizationId: string;
  email: string;
  role: Role;
}

/**
 * Invites an address to the organisation with a role; the link is returned once (and mailed).
 * Nothing here looks the address up, so the answer, its timing and the mail are the same whether
 * it has an account, is already a member or is new. A pending invitation of the same address to
 * this organisation is replaced (revoked): only the newest link works.
 */
export async function inviteMember({ ctx, input }: { ctx: Context; input: InviteMemberInput }) {
  const token = newInvitationToken();
  const actor = actorOf(ctx.viewer);
  const { invitation, organizationName } = await ctx.services.mutations.run(input.organizationId, actor, async (m) => {
    await m.lockOrganization(); // two invitations of one address at once: one stays pending
    const now = new Date();
    await m.tx.invitation.updateMany({
      where: { organizationId: m.organizationId, email: input.email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    const invitation = await m.tx.invitation.create({
      data: {
        organizationId: m.organizationId,
        email: input.email,
        role: input.role,
        tokenHash: hashInvitationToken(token),
        invitedBy: actor,
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      },
    });
    const organization = await m.tx.organization.findUniqueOrThrow({ where: { id: m.organizationId }, select: { name: true } });
    m.audit("invitation.create", invitation.id);
    return { invitation, organizationName: organization.name };
  });
  const url = invitationUrl(ctx.services.publicUrl(), token);
  const { mailer, log } = ctx.services;
  // Not awaited: the admin has the link either way, and a slow SMTP server must not slow the answer.
  void mailer
    .send(invitationMail({ to: invitation.email, organizationName, role: invitation.role, url, expiresAt: invitation.expiresAt }))
    .catch((error: unknown) => log.warn({ err: error, invitationId: invitation.id }, "invitation mail failed; the admin still has the link"));
  return { url, invitation };
}
