// Per-client-IP throttling of the public surfaces (public GraphQL requests and public
// WebSocket connections): rate-limiter-flexible, in Redis when configured so that every
// instance counts the same budget, with an in-memory insurance limiter while Redis is down.
import type { IncomingMessage } from "node:http";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface PublicRateLimiter {
  /** Counts one request from `ip`; null when allowed, else the seconds to wait. */
  take(ip: string): Promise<number | null>;
  close(): Promise<void>;
}

export function createPublicRateLimiter(options: { perSecond: number; redisUrl?: string | undefined }): PublicRateLimiter {
  if (options.perSecond <= 0) return { take: () => Promise.resolve(null), close: () => Promise.resolve() };
  const base = { points: options.perSecond, duration: 1, keyPrefix: "statuspage:public-rate" };
  let redis: Redis | null = null;
  let limiter: RateLimiterAbstract;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => {}); // the bus logs Redis trouble; here the insurance limiter takes over
    limiter = new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: new RateLimiterMemory(base) });
  } else {
    limiter = new RateLimiterMemory(base);
  }
  return {
    async take(ip) {
      try {
        await limiter.consume(ip);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        return null; // the store failed and no insurance answered: never lock the public out
      }
    },
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
