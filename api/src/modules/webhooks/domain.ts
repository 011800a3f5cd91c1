// The rules of webhook delivery, without I/O: when to try again, which addresses a webhook may
// reach, how a body is signed, what a URL must look like. Table-tested in domain.test.ts.
import { createHmac, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export interface RetryPolicy {
  /** Attempts at one event before the webhook is disabled (the first one included). */
  maxAttempts: number;
  /** The wait before the second attempt; each later wait doubles (±20 % jitter). */
  firstRetryMs: number;
  /** One attempt's limit: connecting, sending and the answer's headers. */
  timeoutMs: number;
}

/**
 * 10 attempts: the waits are 2 s, 4 s, … 512 s, so the last attempt comes 13.6 to 20.4 minutes
 * after the first (API.md: at least 5 attempts over at least 10 minutes).
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, firstRetryMs: 2_000, timeoutMs: 5_000 };

/**
 * How long to wait after the `failedAttempts`-th failed attempt at an event, or null when that
 * was the last one allowed. The jitter (a factor between 0.8 and 1.2) keeps many webhooks that
 * failed together (a receiver's outage) from all coming back in the same instant.
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number | null {
  if (failedAttempts < 1) return 0;
  if (failedAttempts >= policy.maxAttempts) return null;
  const base = policy.firstRetryMs * 2 ** (failedAttempts - 1);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` (API.md "Webhooks"). */
export function signatureOf(secret: string, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** 256 random bits: shown once at creation. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/**
 * Whether a webhook may connect to this IP address: only global unicast. Refused: loopback,
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 — cloud metadata —
 * and fe80::/10), carrier-grade NAT (100.64/10), multicast, broadcast, unspecified, reserved and
 * documentation ranges, and every IPv6 form that carries an IPv4 address (mapped ::ffff:0:0/96,
 * compatible ::/96, NAT64 64:ff9b::/96, 6to4, Teredo), which could lead to any of those.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (isIP(bare) === 0) return false; // only canonical forms: what the resolver and URL parser give
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isPublicAddress(v6.toIPv4Address().toString());
    if (v6.parts.slice(0, 6).every((part) => part === 0)) return false; // ::/96, IPv4-compatible (and ::, ::1)
  }
  return parsed.range() === "unicast";
}

/** An IP address written as a URL's host ("[::1]" for IPv6), or null for a name. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0 ? bare : null;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const MAX_URL_LENGTH = 2_000;

/**
 * What a webhook URL must be before anything is resolved: http(s), no credentials, a host, and
 * (unless private targets are allowed) not an address or name that is local by definition.
 * The names it resolves to are checked again at every delivery (send.ts).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): UrlCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute http:// or https:// URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "must be an http:// or https:// URL" };
  if (url.username || url.password) return { ok: false, reason: "must not contain a user name or password (the signature authenticates us)" };
  if (!url.hostname) return { ok: false, reason: "must name a host" };
  if (allowPrivate) return { ok: true, url };
  const literal = ipLiteralOf(url.hostname);
  if (literal !== null && !isPublicAddress(literal)) return { ok: false, reason: PRIVATE_TARGET };
  // URL parsing turns decimal, hex and short IPv4 forms (http://2130706433/) into dotted quads,
  // so only names remain; these are loopback by definition (RFC 6761).
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: PRIVATE_TARGET };
  return { ok: true, url };
}

export const PRIVATE_TARGET = "must reach a public address: loopback, private, link-local and other internal targets are refused";

/** The message an admin reads on a webhook the dispatcher disabled. */
export function disabledReasonOf(attempts: number, eventCursor: string, lastFailure: string, at: Date): string {
  return `Disabled at ${at.toISOString()} after ${attempts} failed attempts to deliver event ${eventCursor} (last: ${lastFailure}). Enabling it resumes with new events; redeliver the missed ones from the list.`;
}
