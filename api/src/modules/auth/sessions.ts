// Session JWTs, signed and verified with jose. Each names a Session row (`sid`) so that a
// session can end before it expires (logOut, an account taken over): resolveViewer checks the
// row. Optionally, tokens from an external identity provider are verified against its JWKS
// (JWT_JWKS_URL + JWT_ISSUER + JWT_AUDIENCE).
import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Prisma } from "../../lib/db.ts";

const ISSUER = "statuspage";
const AUDIENCE = "statuspage";

export interface SessionConfig {
  /** JWT_SECRET, or outside production the database's shared one (developmentSecret below). */
  jwtSecret: string;
  jwksUrl?: string | undefined;
  jwtIssuer?: string | undefined;
  jwtAudience?: string | undefined;
  sessionTtlSeconds: number;
}

/** Who a verified token speaks for. */
export type SessionClaims =
  | { kind: "session"; userId: string; sessionId: string; expiresAt: number }
  | { kind: "external"; email: string; name: string | undefined; expiresAt: number };

export interface Sessions {
  /** Signs a token for the session row `sessionId` of `userId` (see modules/auth/session-store.ts). */
  sign(userId: string, sessionId: string, expiresAt: Date): Promise<string>;
  readonly ttlSeconds: number;
  /** Throws InvalidToken for anything that is not a valid, unexpired token. */
  verify(token: string): Promise<SessionClaims>;
}

export class InvalidToken extends Error {}

/**
 * Session tokens whose signature and claims were found valid, by the token's text: checking a
 * signature again gives the same answer for as long as the key is the same (one per process).
 * A verify is a WebCrypto job on libuv's thread pool; on a server given one core, waking that
 * thread preempted the event loop for 1–2 ms a request under S4 (a CPU profile's self time in
 * jobPromise), each signed-in request paying a thread hop for a result it already had. Only
 * the signature check is remembered: expiry is checked on every use below, and whether the
 * session still exists (logOut, revocation) is the database's answer on every request
 * (modules/auth/viewer.ts). Invalid tokens are never cached.
 */
const VERIFIED_TOKENS = 10_000;

export function createSessions(config: SessionConfig): Sessions {
  // Imported once: given the raw bytes, jose imports a WebCrypto key on every sign and verify
  // (about half of a verify's time, which every signed-in request and socket operation pays).
  const key = crypto.subtle.importKey("raw", new TextEncoder().encode(config.jwtSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const verified = new LRUCache<string, Extract<SessionClaims, { kind: "session" }>>({ max: VERIFIED_TOKENS });

  return {
    ttlSeconds: config.sessionTtlSeconds,
    async sign(userId, sessionId, expiresAt) {
      return new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(await key);
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt <= Date.now()) throw new InvalidToken("ERR_JWT_EXPIRED");
        return known;
      }
      let alg: string | undefined;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw new InvalidToken("malformed token");
      }
      try {
        if (alg === "HS256") {
          const { payload } = await jwtVerify(token, await key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
          if (!payload.sub) throw new InvalidToken("no subject");
          // Tokens from before server-side sessions carry no sid: they are simply invalid now.
          if (typeof payload.sid !== "string") throw new InvalidToken("no session id");
          const claims = { kind: "session", userId: payload.sub, sessionId: payload.sid, expiresAt: expiry(payload) } as const;
          verified.set(token, claims);
          return claims;
        }
        if (!jwks) throw new InvalidToken(`unexpected algorithm ${alg ?? "none"}`);
        const { payload } = await jwtVerify(token, jwks, {
          ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
          ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
        });
        const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
        if (!email) throw new InvalidToken("external token without an email claim");
        const name = typeof payload.name === "string" ? payload.name : undefined;
        return { kind: "external", email, name, expiresAt: expiry(payload) };
      } catch (error) {
        if (error instanceof InvalidToken) throw error;
        if (error instanceof joseErrors.JOSEError) throw new InvalidToken(error.code);
        throw error;
      }
    },
  };
}

function expiry(payload: JWTPayload): number {
  return (payload.exp ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
}

/** The AppSetting row holding the generated development secret. */
export const DEVELOPMENT_SECRET_KEY = "jwt.developmentSecret";

/**
 * Outside production a missing JWT_SECRET is not an obstacle: one is generated once and kept
 * in the database (AppSetting), so sessions survive restarts and every instance sharing the
 * database signs and verifies with the same key. Insert-if-absent, then read back: of two
 * instances starting together, the first insert wins and both read the winner. (A jwt-secret
 * file left in an older DATA_DIR is ignored: docs/adr/0010.) Production never gets here:
 * buildApp refuses to start without JWT_SECRET before it opens the database.
 */
export async function developmentSecret(prisma: Pick<Prisma, "appSetting">): Promise<string> {
  await prisma.appSetting.createMany({ data: [{ key: DEVELOPMENT_SECRET_KEY, value: randomBytes(48).toString("base64url") }], skipDuplicates: true });
  return (await prisma.appSetting.findUniqueOrThrow({ where: { key: DEVELOPMENT_SECRET_KEY } })).value;
}
