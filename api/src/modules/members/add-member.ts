import type { Context } from "../../context.ts";
import type { Role } from "../../generated/prisma/enums.ts";
import { badInput, conflict } from "../../graphql/errors.ts";
import { hashPassword } from "../../lib/passwords.ts";
import { actorOf } from "../auth/viewer.ts";

export interface AddMemberInput {
  organizationId: string;
  email: string;
  role: Role;
  name?: string | null;
  password?: string | null;
}

/**
 * Adds a person to the organisation. Someone who already has an account joins as they are;
 * for a new email the admin sets a name and an initial password (there is no email
 * delivery to send an invitation with).
 */
export async function addMember({ ctx, input }: { ctx: Context; input: AddMemberInput }) {
  const existing = await ctx.prisma.user.findUnique({ where: { email: input.email } });
  if (!existing && !input.password) throw badInput("A new user needs an initial password.", "password");
  if (!existing && !input.name) throw badInput("A new user needs a name.", "name");
  const passwordHash = !existing && input.password ? await hashPassword(input.password) : null;
  return ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    const user = existing ?? (await m.tx.user.create({ data: { email: input.email, name: input.name!, passwordHash } }));
    const already = await m.tx.membership.findUnique({ where: { organizationId_userId: { organizationId: m.organizationId, userId: user.id } } });
    if (already) throw conflict("This person is already a member.", "email");
    const membership = await m.tx.membership.create({ data: { organizationId: m.organizationId, userId: user.id, role: input.role } });
    m.audit("member.add", user.id);
    return membership;
  });
}
