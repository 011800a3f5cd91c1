// Server-side sessions: signing in creates a Session row and a JWT naming it; logOut and an
// account take-over revoke rows, and record the change so open connections close too.
import type { Context } from "../../context.ts";
import type { Prisma } from "../../lib/db.ts";
import type { Tx } from "../../lib/tx.ts";
import { recordAccessChange } from "./access-changes.ts";

/** Starts a session for `userId` and returns its token. */
export async function startSession(ctx: Context, userId: string): Promise<string> {
  const sessions = ctx.services.sessions;
  const expiresAt = new Date(Date.now() + sessions.ttlSeconds * 1000);
  const row = await ctx.prisma.session.create({ data: { userId, expiresAt }, select: { id: true } });
  return sessions.sign(userId, row.id, expiresAt);
}

/** Ends one session (logOut). */
export async function revokeSession(db: Tx | Prisma, sessionId: string): Promise<void> {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAccessChange(db, { kind: "SESSION_REVOKED", subjectId: sessionId });
}

/** Ends every session of a user (the address's owner took the account over). */
export async function revokeAllSessions(db: Tx | Prisma, userId: string): Promise<void> {
  await db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAccessChange(db, { kind: "USER_SESSIONS_REVOKED", subjectId: userId });
}
