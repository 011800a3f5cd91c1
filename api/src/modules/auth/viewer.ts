// Turns the Authorization header (or graphql-ws connectionParams) into a Viewer. A token
// that is present but invalid or expired is UNAUTHENTICATED, never anonymous.
import type { Role } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import { unauthenticated } from "../../graphql/errors.ts";
import { API_TOKEN_PREFIX, hashApiTokenSecret } from "../tokens/secret.ts";
import { revokeAllSessions } from "./session-store.ts";
import { InvalidToken, type Sessions } from "./sessions.ts";

export type Viewer =
  | { kind: "anonymous" }
  /** sessionId is null for an external identity provider's token (it has no session row). */
  | { kind: "user"; userId: string; email: string; expiresAt: number; sessionId: string | null }
  | { kind: "token"; tokenId: string; name: string; organizationId: string; role: Role }
  /** The server itself (demo data, scheduled transitions); never the result of a request. */
  | { kind: "system"; name: string };

export const ANONYMOUS: Viewer = { kind: "anonymous" };

/** How the viewer appears in the audit log. */
export function actorOf(viewer: Viewer): string {
  switch (viewer.kind) {
    case "user":
      return `user:${viewer.email}`;
    case "token":
      return `token:${viewer.name}`;
    case "system":
      return `system:${viewer.name}`;
    default:
      return "anonymous";
  }
}

export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be 'Bearer <token>'.");
  return match[1];
}

// lastUsedAt is advisory: write it at most once a minute per token, off the request path.
const LAST_USED_RESOLUTION_MS = 60_000;

type ViewerDeps = { prisma: Prisma; sessions: Sessions; onBackgroundError: (error: unknown) => void };

/** Who is calling (a WebSocket's connection keeps this viewer: roles are read per operation). */
export async function resolveViewer(authorization: string | null | undefined, deps: ViewerDeps): Promise<Viewer> {
  return (await resolveRequestViewer(authorization, deps)).viewer;
}

/**
 * Who is calling, for one HTTP request: a signed-in user's roles in their organisations come
 * with the session check, in the same statement, so the request's Access needs no statement of
 * its own (`roles`, null for anyone else). Read once per request, as Access's own cache was.
 */
export async function resolveRequestViewer(
  authorization: string | null | undefined,
  deps: ViewerDeps,
): Promise<{ viewer: Viewer; roles: ReadonlyMap<string, Role> | null }> {
  const token = bearerToken(authorization);
  if (!token) return { viewer: ANONYMOUS, roles: null };
  const { prisma, sessions } = deps;

  if (token.startsWith(API_TOKEN_PREFIX)) {
    const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashApiTokenSecret(token) } });
    if (!row || row.revokedAt) throw unauthenticated("This API token is invalid or has been revoked.");
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      prisma.apiToken
        .update({ where: { id: row.id }, data: { lastUsedAt: new Date() } })
        .catch(deps.onBackgroundError);
    }
    return { viewer: { kind: "token", tokenId: row.id, name: row.name, organizationId: row.organizationId, role: row.role }, roles: null };
  }

  let claims;
  try {
    claims = await sessions.verify(token);
  } catch (error) {
    if (error instanceof InvalidToken) throw unauthenticated("Your session is invalid or has expired: sign in again.");
    throw error;
  }
  if (claims.kind === "session") {
    // One statement (session, user and memberships; a row per membership), not Prisma's two for
    // an include and a third for the role: every authenticated request pays it, and a mutation's
    // statements each wait for a turn of a busy event loop (docs/adr/0024).
    const rows = await prisma.$queryRaw<{ revokedAt: Date | null; userId: string; email: string; organizationId: string | null; role: Role | null }[]>`
      SELECT s."revokedAt", s."userId", u.email, m."organizationId", m.role::text AS role
      FROM "Session" s JOIN "User" u ON u.id = s."userId" LEFT JOIN "Membership" m ON m."userId" = s."userId"
      WHERE s.id = ${claims.sessionId}`;
    const session = rows[0];
    if (!session || session.revokedAt || session.userId !== claims.userId) throw unauthenticated("Your session is invalid or has expired: sign in again.");
    const roles = new Map<string, Role>();
    for (const row of rows) if (row.organizationId && row.role) roles.set(row.organizationId, row.role);
    return { viewer: { kind: "user", userId: session.userId, email: session.email, expiresAt: claims.expiresAt, sessionId: claims.sessionId }, roles };
  }
  // A user of an external identity provider is known by email; first sight creates them. The
  // provider asserts the address (docs/adr/0004), so it counts as proven. An unproven account of
  // that address (signUp proves nothing: maybe someone else made it) is taken over as an
  // invitation would: its password is cleared and its sessions end (docs/adr/0008).
  const user = await prisma.user.upsert({
    where: { email: claims.email },
    update: {},
    create: { email: claims.email, name: claims.name ?? claims.email.split("@")[0] ?? claims.email, emailVerifiedAt: new Date() },
  });
  if (!user.emailVerifiedAt) {
    await prisma.$transaction(async (tx) => {
      const taken = await tx.user.updateMany({ where: { id: user.id, emailVerifiedAt: null }, data: { emailVerifiedAt: new Date(), passwordHash: null } });
      if (taken.count === 1) await revokeAllSessions(tx, user.id);
    });
  }
  return { viewer: { kind: "user", userId: user.id, email: user.email, expiresAt: claims.expiresAt, sessionId: null }, roles: null };
}
