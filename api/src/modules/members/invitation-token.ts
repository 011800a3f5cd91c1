// Invitation secrets: 256 random bits, base64url. Only a SHA-256 is stored (like API tokens: a fast
// hash is right for a full-entropy secret). The secret travels in the link's fragment
// (#<token>), which browsers never send to a server, so it stays out of access logs.
import { createHash, randomBytes } from "node:crypto";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function newInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The link the invited person opens: the web app's accept page with the token in the fragment. */
export function invitationUrl(origin: string, token: string): string {
  return `${origin}/invitations/accept#${token}`;
}
