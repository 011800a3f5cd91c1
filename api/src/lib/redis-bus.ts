// The event bus between instances: graphql-redis-subscriptions' RedisPubSub on two ioredis
// connections, one channel per organisation. RedisPubSub subscribes to a channel on its first
// listener and unsubscribes after its last, so an instance listens only to the organisations
// it has subscribers for.
import { RedisPubSub } from "graphql-redis-subscriptions";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { EventBus } from "./pubsub.ts";

const channelOf = (organizationId: string) => `statuspage:events:${organizationId}`;

export function createRedisEventBus(url: string, log: Logger): EventBus {
  // Publishing must never hold up a mutation: with Redis down it fails at once (logged), and
  // the subscribers' instances catch up from the log when Redis is back.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null });
  for (const [name, client] of [["publisher", publisher], ["subscriber", subscriber]] as const) {
    client.on("error", (error: Error) => log.warn({ err: error, client: name }, "redis error"));
  }
  catchDroppedUnsubscribes(subscriber, log);
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const reconnectListeners: (() => void)[] = [];

  let wasConnected = false;
  subscriber.on("ready", () => {
    if (!wasConnected) {
      wasConnected = true;
      return;
    }
    log.info("redis subscriber reconnected: catching up from the event log");
    // ioredis re-subscribes right after "ready"; a PING queued behind those commands answers
    // only once they are active, so nothing published from now on can be missed.
    setImmediate(() => {
      subscriber
        .ping()
        .then(() => reconnectListeners.forEach((listener) => listener()))
        .catch((error: unknown) => log.warn({ err: error }, "redis ping after reconnect failed"));
    });
  });

  return {
    publish(organizationId, position) {
      pubsub.publish(channelOf(organizationId), { position: position.toString() }).catch((error: unknown) => {
        log.warn({ err: error, organizationId, position: position.toString() }, "publish failed; subscribers will catch up from the log");
      });
    },
    async subscribe(organizationId, listener) {
      const id = await pubsub.subscribe(channelOf(organizationId), (message: { position: string }) => listener(BigInt(message.position)));
      return () => pubsub.unsubscribe(id);
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    healthy: () => publisher.status === "ready" && subscriber.status === "ready",
    async close() {
      // QUIT cannot be sent while Redis is away (offline queue off): then just drop the sockets.
      await pubsub.close().catch(() => {
        publisher.disconnect();
        subscriber.disconnect();
      });
    },
  };
}

/**
 * graphql-redis-subscriptions' `unsubscribe` sends UNSUBSCRIBE and PUNSUBSCRIBE and drops their
 * promises; with Redis down or closing they reject with nobody listening (an unhandled rejection
 * that can end the process). A channel left subscribed only costs a needless wake-up, so the
 * failure is logged and nothing else.
 */
function catchDroppedUnsubscribes(subscriber: Redis, log: Logger): void {
  for (const method of ["unsubscribe", "punsubscribe"] as const) {
    const send = subscriber[method].bind(subscriber) as (...channels: string[]) => Promise<unknown>;
    const guarded = (...channels: string[]) => {
      const sent = send(...channels);
      sent.catch((error: unknown) => log.debug({ err: error, channels }, `redis ${method} failed`));
      return sent;
    };
    Object.assign(subscriber, { [method]: guarded });
  }
}
