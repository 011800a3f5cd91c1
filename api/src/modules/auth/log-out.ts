import type { Context } from "../../context.ts";
import { revokeSession } from "./session-store.ts";

/**
 * Ends the caller's session server-side: its token stops working on every request, and its
 * open WebSocket and SSE connections close with 4401 on every instance. True when a session
 * ended; false for an API token or an identity provider's token, which have no session here
 * (API tokens end with revokeApiToken).
 */
export async function logOut({ ctx }: { ctx: Context }): Promise<boolean> {
  const viewer = ctx.viewer;
  if (viewer.kind !== "user" || !viewer.sessionId) return false;
  const sessionId = viewer.sessionId;
  await ctx.prisma.$transaction((tx) => revokeSession(tx, sessionId));
  return true;
}
