// Sign-in and sign-up attempts are counted per client IP and per IP + email before any password
// work, so guessing is slow and a flood of argon2 hashing cannot take the server down. An attempt
// is taken before the work (so a burst of parallel guesses is bounded too) and given back when a
// sign-in succeeds: only failures (and sign-ups) count towards the limit, so someone who signs
// in often is never locked out by their own successes.
import type { Context } from "../../context.ts";
import { rateLimited } from "../../graphql/errors.ts";

export interface AuthAttempt {
  /** The attempt succeeded: it no longer counts (sign-ins; a sign-up keeps counting). */
  succeeded(): Promise<void>;
}

export async function throttleAuthAttempt(ctx: Context, email: string): Promise<AuthAttempt> {
  const ip = ctx.clientIp ?? "unknown";
  const { perIp, perIpAndEmail } = ctx.services.limiters.auth;
  const key = `${ip}|${email}`;
  const waitForEmail = await perIpAndEmail.take(key);
  if (waitForEmail !== null) throw rateLimited(waitForEmail);
  const waitForIp = await perIp.take(ip);
  if (waitForIp !== null) {
    await perIpAndEmail.refund(key); // refused before any work: only the refusing budget counts it
    throw rateLimited(waitForIp);
  }
  return { succeeded: async () => void (await Promise.all([perIpAndEmail.refund(key), perIp.refund(ip)])) };
}
