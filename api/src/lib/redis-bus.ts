// The event bus between instances: graphql-redis-subscriptions' RedisPubSub on two ioredis
// connections, one channel per organisation. RedisPubSub subscribes to a channel on its first
// listener and unsubscribes after its last, so an instance listens only to the organisations
// it has subscribers for.
import { RedisPubSub } from "graphql-redis-subscriptions";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Event } from "../generated/prisma/client.ts";
import type { EventBus } from "./pubsub.ts";

const channelOf = (organizationId: string) => `statuspage:events:${organizationId}`;

/**
 * A commit rarely appends more than a few events; a bigger batch is announced by position only
 * and read from the log by whoever needs it (one query then, instead of a large message to
 * every instance).
 */
export const MAX_CARRIED_EVENTS = 64;

/** On the wire: an event's JSON with its two non-JSON fields as text (BigInt) and epoch ms (Date). */
type WireEvent = Omit<Event, "position" | "occurredAt"> & { position: string; occurredAt: number };
interface Message {
  position: string;
  events?: WireEvent[];
}

export function encodeAnnouncement(position: bigint, events: readonly Event[] | undefined): Message {
  if (!events || events.length === 0 || events.length > MAX_CARRIED_EVENTS) return { position: position.toString() };
  return { position: position.toString(), events: events.map((event) => ({ ...event, position: event.position.toString(), occurredAt: event.occurredAt.getTime() })) };
}

/** The events of a message, or null when it carries none or they do not look like events (then the log is read). */
export function decodeEvents(message: Message): Event[] | null {
  if (!Array.isArray(message.events)) return null;
  try {
    return message.events.map((wire) => {
      if (typeof wire.position !== "string" || typeof wire.occurredAt !== "number" || typeof wire.organizationId !== "string") throw new Error("not an event");
      return { ...wire, position: BigInt(wire.position), occurredAt: new Date(wire.occurredAt) };
    });
  } catch {
    return null;
  }
}

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
    publish(organizationId, position, events) {
      pubsub.publish(channelOf(organizationId), encodeAnnouncement(position, events)).catch((error: unknown) => {
        log.warn({ err: error, organizationId, position: position.toString() }, "publish failed; subscribers will catch up from the log");
      });
    },
    async subscribe(organizationId, listener) {
      const id = await pubsub.subscribe(channelOf(organizationId), (message: Message) => listener(BigInt(message.position), decodeEvents(message)));
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
