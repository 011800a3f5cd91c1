// Sign-in and sign-up attempts are counted per client IP and per IP + email before any password
// work, so guessing is slow and a flood of argon2 hashing cannot take the server down.
import type { Context } from "../../context.ts";
import { rateLimited } from "../../graphql/errors.ts";

export async function throttleAuthAttempt(ctx: Context, email: string): Promise<void> {
  const ip = ctx.clientIp ?? "unknown";
  const { perIp, perIpAndEmail } = ctx.services.limiters.auth;
  const wait = (await perIpAndEmail.take(`${ip}|${email}`)) ?? (await perIp.take(ip));
  if (wait !== null) throw rateLimited(wait);
}
