// The links in subscription mails carry signed tokens (docs/adr/0021): nothing of them is stored.
// A token names one subscriber row and a purpose, and is signed with HMAC-SHA256 under a key
// derived from the server's session secret. The manage token (unsubscribe, change services)
// never expires: it must still work in a mail read a year later. The confirmation token expires
// after CONFIRMATION_TTL_MS. Deleting the row (unsubscribe, removeSubscriber) kills every token
// of it: a new subscription of the same address is a new row with a new id.
import { createHmac, timingSafeEqual } from "node:crypto";

export type TokenPurpose = "confirm" | "manage";

export const CONFIRMATION_TTL_MS = 48 * 60 * 60 * 1000;
/** Longer than any token we hand out; anything longer is refused before any work. */
export const MAX_TOKEN_LENGTH = 200;

const PREFIX: Record<TokenPurpose, string> = { confirm: "c", manage: "m" };
const ID = /^[0-9a-f-]{36}$/;
const EXPIRY = /^[0-9a-z]{1,10}$/;

export interface VerifiedToken {
  purpose: TokenPurpose;
  subscriberId: string;
}

export interface SubscriptionTokens {
  issue(purpose: TokenPurpose, subscriberId: string, now?: number): string;
  /** The subscriber a token names, or null when it is forged, malformed or expired. */
  verify(token: string, now?: number): VerifiedToken | null;
}

export function createSubscriptionTokens(serverSecret: string): SubscriptionTokens {
  // A key of its own: a subscription token can never pass for a session and the other way round.
  const key = createHmac("sha256", serverSecret).update("statuspage:subscription-tokens:v1").digest();
  const mac = (body: string) => createHmac("sha256", key).update(body).digest();
  return {
    issue(purpose, subscriberId, now = Date.now()) {
      const expires = purpose === "confirm" ? Math.ceil((now + CONFIRMATION_TTL_MS) / 1000).toString(36) : "0";
      const body = `${PREFIX[purpose]}.${subscriberId}.${expires}`;
      return `${body}.${mac(body).toString("base64url")}`;
    },
    verify(token, now = Date.now()) {
      if (token.length > MAX_TOKEN_LENGTH) return null;
      const [prefix, subscriberId, expires, signature, ...rest] = token.split(".");
      if (rest.length > 0 || !prefix || !subscriberId || !expires || !signature) return null;
      const purpose = prefix === "c" ? "confirm" : prefix === "m" ? "manage" : null;
      if (!purpose || !ID.test(subscriberId) || !EXPIRY.test(expires)) return null;
      const expected = mac(`${prefix}.${subscriberId}.${expires}`);
      const given = Buffer.from(signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (expires !== "0" && parseInt(expires, 36) * 1000 < now) return null;
      if (purpose === "manage" && expires !== "0") return null;
      return { purpose, subscriberId };
    },
  };
}
