// Throttling with rate-limiter-flexible, in Redis when configured so that every instance counts
// the same budget (with an in-memory insurance limiter while Redis is down):
// - the public surfaces (public GraphQL requests and WebSocket connections), per client IP;
// - sign-in and sign-up attempts, per IP and per IP+email, against password guessing;
// - the public subscription mutations, per IP and per address (each may mail someone).
import type { IncomingMessage } from "node:http";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface Limiter {
  /** Counts one attempt for `key`; null when allowed, else the seconds to wait. */
  take(key: string): Promise<number | null>;
  /** Gives back one attempt taken for `key` (a sign-in that succeeded is not held against anyone). */
  refund(key: string): Promise<void>;
}

export interface Limiters {
  public: Limiter;
  /**
   * The same per-IP budget counted on this instance alone, in memory: the public fast path
   * (answers from memory) takes from it without a network round trip. Without Redis it is
   * `public` itself. With Redis, a request that goes on to do work (a GraphQL execution)
   * takes from `public` too (docs/adr/0013-published-pages.md).
   */
  publicLocal: Limiter;
  /** logIn / signUp attempts. */
  auth: { perIp: Limiter; perIpAndEmail: Limiter };
  /** The public subscription mutations: subscribeToStatusPage per address, all four per IP (an hour's budget). */
  subscriptions: { perIp: Limiter; perAddress: Limiter };
  close(): Promise<void>;
}

const UNLIMITED: Limiter = { take: () => Promise.resolve(null), refund: () => Promise.resolve() };

export function createLimiters(options: { publicPerSecond: number; authPerIpAndEmail: number; subscribePerAddress?: number | undefined; redisUrl?: string | undefined }): Limiters {
  let redis: Redis | null = null;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => {}); // the bus logs Redis trouble; here the insurance limiter takes over
  }
  const limiter = (points: number, duration: number, keyPrefix: string, local = false): Limiter => {
    const base = { points, duration, keyPrefix: `statuspage:${keyPrefix}` };
    const store: RateLimiterAbstract = redis && !local ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: new RateLimiterMemory(base) }) : new RateLimiterMemory(base);
    return {
      async take(key) {
        try {
          await store.consume(key);
          return null;
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          return null; // the store failed and no insurance answered: never lock people out
        }
      },
      async refund(key) {
        try {
          // Never below zero: an attempt counted by the insurance limiter while Redis was away
          // must not turn into credit in Redis.
          const counted = await store.get(key);
          if (counted && counted.consumedPoints > 0) await store.reward(key, 1);
        } catch {
          // the store failed: the attempt stays counted, which only errs on the safe side
        }
      },
    };
  };
  const publicLimiter = options.publicPerSecond > 0 ? limiter(options.publicPerSecond, 1, "public-rate") : UNLIMITED;
  return {
    public: publicLimiter,
    publicLocal: options.publicPerSecond > 0 && redis ? limiter(options.publicPerSecond, 1, "public-rate-local", true) : publicLimiter,
    // Generous for people (a typo or ten), hopeless for guessing.
    auth:
      options.authPerIpAndEmail > 0
        ? { perIpAndEmail: limiter(options.authPerIpAndEmail, 15 * 60, "auth-ip-email"), perIp: limiter(options.authPerIpAndEmail * 10, 15 * 60, "auth-ip") }
        : { perIpAndEmail: UNLIMITED, perIp: UNLIMITED },
    // Each subscribe may send a mail to someone else's address: few per address, more per IP.
    subscriptions:
      (options.subscribePerAddress ?? 0) > 0
        ? { perAddress: limiter(options.subscribePerAddress!, 3600, "subscribe-address"), perIp: limiter(options.subscribePerAddress! * 10, 3600, "subscribe-ip") }
        : { perAddress: UNLIMITED, perIp: UNLIMITED },
    async close() {
      redis?.disconnect();
      return Promise.resolve();
    },
  };
}

/**
 * The client's address. Behind a reverse proxy (TRUST_PROXY) it is the address the proxy saw,
 * the last entry of X-Forwarded-For; otherwise the socket's, so a client cannot pick its own.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const last = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}
