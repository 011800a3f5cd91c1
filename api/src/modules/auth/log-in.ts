import { actAsNewSession, type Context } from "../../context.ts";
import { unauthenticated } from "../../graphql/errors.ts";
import { verifyPassword } from "../../lib/passwords.ts";
import { startSession } from "./session-store.ts";
import { throttleAuthAttempt } from "./throttle.ts";

/**
 * One answer for an unknown email and a wrong password, taking the same time for both. Only
 * failed sign-ins count towards the sign-in limit (throttle.ts).
 */
export async function logIn({ ctx, input }: { ctx: Context; input: { email: string; password: string } }) {
  const attempt = await throttleAuthAttempt(ctx, input.email);
  const user = await ctx.prisma.user.findUnique({ where: { email: input.email } });
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok) throw unauthenticated("Email or password is wrong.");
  await attempt.succeeded();
  const token = await startSession(ctx, user.id);
  await actAsNewSession(ctx, token);
  return { token, user };
}
