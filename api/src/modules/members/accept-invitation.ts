// Accepting an invitation: the link proves that its holder reads the invited address.
//   - no account for the address: a new one (name and password required), verified;
//   - an unverified account (made by signUp, which proves nothing — perhaps by someone else):
//     the holder takes it over: a new password, verified, and every session of whoever made it
//     ends (docs/adr/0008-invitations.md);
//   - a verified account: the holder must be signed in as it or give its password.
// Then the account joins the organisation (an existing member keeps their role), the invitation
// is used up, and the answer is a new session, like logIn.
import { actAsNewSession, type Context } from "../../context.ts";
import type { Invitation, User } from "../../generated/prisma/client.ts";
import { badInput, conflict } from "../../graphql/errors.ts";
import * as v from "../../graphql/validation.ts";
import { hashPassword, verifyPassword } from "../../lib/passwords.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import type { Tx } from "../../lib/tx.ts";
import { revokeAllSessions, startSession } from "../auth/session-store.ts";
import { throttleAuthAttempt } from "../auth/throttle.ts";
import { hashInvitationToken } from "./invitation-token.ts";

export interface AcceptInvitationInput {
  token: string;
  name?: string | null;
  password?: string | null;
}

type Plan =
  | { kind: "create"; name: string; passwordHash: string }
  | { kind: "takeOver"; userId: string; name: string | null; passwordHash: string }
  | { kind: "join"; userId: string };

/** One answer for unknown, expired, revoked and used links. */
const unusable = () => badInput("This invitation link is invalid, expired, revoked or already used: ask an admin for a new one.", "token");

const isPending = (invitation: Invitation | null, now = new Date()): invitation is Invitation =>
  invitation !== null && !invitation.acceptedAt && !invitation.revokedAt && invitation.expiresAt > now;

export async function acceptInvitation({ ctx, input }: { ctx: Context; input: AcceptInvitationInput }) {
  const tokenHash = hashInvitationToken(input.token);
  await throttleAuthAttempt(ctx, `invitation:${tokenHash}`); // also counts per IP with sign-in attempts
  const invitation = await ctx.prisma.invitation.findUnique({ where: { tokenHash } });
  if (!isPending(invitation)) throw unusable();
  const existing = await ctx.prisma.user.findUnique({ where: { email: invitation.email } });
  const plan = await planFor(ctx, existing, input);

  let userId: string;
  try {
    userId = await ctx.services.mutations.run(invitation.organizationId, `user:${invitation.email}`, async (m) => {
      await m.lockOrganization();
      const now = new Date();
      // Claimed inside the transaction: of two acceptances at once, one wins.
      const claimed = await m.tx.invitation.updateMany({
        where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
        data: { acceptedAt: now },
      });
      if (claimed.count !== 1) throw unusable();
      const userId = await applyPlan(m.tx, plan, invitation.email, now);
      const key = { organizationId_userId: { organizationId: m.organizationId, userId } };
      // Already a member: the role stays as it is (roles change with updateMemberRole, not by invitation).
      if (!(await m.tx.membership.findUnique({ where: key }))) {
        await m.tx.membership.create({ data: { organizationId: m.organizationId, userId, role: invitation.role } });
      }
      m.audit("member.join", userId);
      return userId;
    });
  } catch (error) {
    // Someone signed up with this address between our read and the transaction: nothing was written.
    if (isUniqueViolation(error) === "email") throw conflict("An account with this address was created just now: open the link again.", "token");
    throw error;
  }
  const token = await startSession(ctx, userId);
  await actAsNewSession(ctx, token);
  const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: userId } });
  return { token, user };
}

/** Decides (and does the slow password work) before the transaction. */
async function planFor(ctx: Context, user: User | null, input: AcceptInvitationInput): Promise<Plan> {
  if (!user) {
    if (!input.name) throw badInput("A new account needs your name.", "name");
    return { kind: "create", name: input.name, passwordHash: await hashPassword(await newPassword(input.password)) };
  }
  if (!user.emailVerifiedAt) {
    return { kind: "takeOver", userId: user.id, name: input.name ?? null, passwordHash: await hashPassword(await newPassword(input.password)) };
  }
  const viewer = ctx.viewer;
  if (viewer.kind === "user" && viewer.userId === user.id) return { kind: "join", userId: user.id };
  if (!input.password) throw badInput(`Enter the password of the account ${user.email}, or sign in as it first.`, "password");
  if (!(await verifyPassword(user.passwordHash, input.password))) throw badInput("The password is wrong.", "password");
  return { kind: "join", userId: user.id };
}

async function newPassword(password: string | null | undefined): Promise<string> {
  if (!password) throw badInput("Choose a password for your account.", "password");
  const parsed = await v.password.safeParseAsync(password);
  if (!parsed.success) throw badInput(v.refusal("password", parsed.error.issues[0]?.message ?? "is not valid"), "password");
  return parsed.data;
}

async function applyPlan(tx: Tx, plan: Plan, email: string, now: Date): Promise<string> {
  switch (plan.kind) {
    case "create": {
      const user = await tx.user.create({ data: { email, name: plan.name, passwordHash: plan.passwordHash, emailVerifiedAt: now } });
      return user.id;
    }
    case "takeOver": {
      // Still unverified (another acceptance may have verified it meanwhile): else start again.
      const updated = await tx.user.updateMany({
        where: { id: plan.userId, emailVerifiedAt: null },
        data: { passwordHash: plan.passwordHash, emailVerifiedAt: now, ...(plan.name ? { name: plan.name } : {}) },
      });
      if (updated.count !== 1) throw conflict("This account changed just now: open the link again.", "token");
      await revokeAllSessions(tx, plan.userId); // whoever made the account is signed out everywhere
      return plan.userId;
    }
    case "join":
      return plan.userId;
  }
}
