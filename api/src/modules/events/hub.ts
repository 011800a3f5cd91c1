// One per instance: follows the event log of every organisation that has subscribers here and
// hands each new event to all of them. Per organisation it keeps the last position delivered;
// an announcement (from the bus) that carries the events right after it is delivered as it
// came (docs/adr/0022); any other announcement, a bus reconnect or the periodic check makes it
// read the log after that position, once, in order, whatever the number of subscribers. Every subscriber of
// one organisation receives the same LiveEvent object, so the work of turning it into a
// response can be shared (graphql/shared-execution.ts).
import type { Logger } from "pino";
import type { Event } from "../../generated/prisma/client.ts";
import type { Prisma } from "../../lib/db.ts";
import { createLoaders, type Loaders } from "../../lib/loaders.ts";
import { foregroundBusy, foregroundTurn } from "../../lib/foreground.ts";
import type { EventBus } from "../../lib/pubsub.ts";
import { BoundedQueue, type Consumer } from "./bounded-queue.ts";

/** What a subscription yields: the event row plus loaders shared by everyone who renders it. */
export interface LiveEvent {
  event: Event;
  loaders: Loaders;
}

/**
 * A subscription's events offered synchronously (modules/events/subscriptions.ts): `attach`
 * succeeds only when nothing is waiting to be read with next() (replay done, buffer empty);
 * from then on every live event reaches `sink.accept` from the hub's push, until `detach`.
 */
export interface LiveSource {
  attach(sink: Consumer<LiveEvent>): boolean;
  detach(): void;
  /** Registers work to finish for each event before it is handed out (EventHub.prepare). */
  prepare(key: object, preparer: Preparer): () => void;
}

/**
 * Readies an event's shared work (graphql/shared-execution.ts: its result and JSON for one
 * selection) before the hub hands it to anyone: a promise to wait for, or undefined when ready.
 */
export type Preparer = (live: LiveEvent) => Promise<unknown> | undefined;

export interface HubOptions {
  /** Events a subscriber may have waiting before it is cut off as too slow. */
  maxBuffered?: number;
  /** How often to compare each followed log's end with what was delivered (a lost announcement). */
  checkIntervalMs?: number;
  /** How long one slice of a delivery may run before the loop gets a turn (tests: 0). */
  deliverSliceMs?: number;
}

const PAGE = 500;
/** How long one slice of a delivery may run before the event loop gets a turn (docs/adr/0024). */
const DELIVER_SLICE_MS = 0.5;

interface Channel {
  organizationId: string;
  subscribers: Set<BoundedQueue<LiveEvent>>;
  lastDelivered: bigint;
  /** Reads run one after another, so events leave in log order. */
  chain: Promise<void>;
  ready: Promise<void>;
  unsubscribeBus: (() => void) | null;
  closed: boolean;
  /** One per selection in use on this channel, shared by its subscriptions (counted). */
  preparers: Map<object, { prepare: Preparer; users: number }>;
}

export class EventHub {
  private readonly channels = new Map<string, Channel>();
  private readonly timer: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly deliverSliceMs: number;

  constructor(
    private readonly prisma: Prisma,
    private readonly bus: EventBus,
    private readonly log: Logger,
    options: HubOptions = {},
  ) {
    this.maxBuffered = options.maxBuffered ?? 1000;
    this.deliverSliceMs = options.deliverSliceMs ?? DELIVER_SLICE_MS;
    this.bus.onReconnect(() => this.checkAll());
    this.timer = setInterval(() => this.checkAll(), options.checkIntervalMs ?? 15_000);
    this.timer.unref();
  }

  /**
   * Registers a subscriber for every event of the organisation committed from now on, and
   * returns the position the log had at registration (events up to it are the caller's to
   * replay). `onOverflow` is called when the subscriber falls too far behind.
   */
  async follow(organizationId: string, onOverflow?: () => void): Promise<{ queue: BoundedQueue<LiveEvent>; position: bigint }> {
    const channel = this.channels.get(organizationId) ?? this.open(organizationId);
    await channel.ready;
    const queue: BoundedQueue<LiveEvent> = new BoundedQueue(this.maxBuffered, () => this.leave(channel, queue), onOverflow);
    channel.subscribers.add(queue);
    return { queue, position: channel.lastDelivered };
  }

  /**
   * Has `prepare` run for each of the organisation's events, and awaited, before any subscriber
   * is handed the event; one registration per `key` (a selection), counted: the returned
   * function releases it. So the subscribers of one selection find its frame payload built and
   * take it synchronously, in one pass (docs/adr/0022), instead of each waiting for it.
   */
  prepare(organizationId: string, key: object, prepare: Preparer): () => void {
    const channel = this.channels.get(organizationId);
    if (!channel) return () => {};
    let entry = channel.preparers.get(key);
    if (!entry) channel.preparers.set(key, (entry = { prepare, users: 0 }));
    entry.users++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.users === 0 && channel.preparers.get(key) === entry) channel.preparers.delete(key);
    };
  }

  /** How many organisations and subscribers this instance serves (for logs and tests). */
  stats(): { organizations: number; subscribers: number } {
    let subscribers = 0;
    for (const channel of this.channels.values()) subscribers += channel.subscribers.size;
    return { organizations: this.channels.size, subscribers };
  }

  /** Ends every subscription (shutdown): transports complete them with a reconnect code. */
  close(): void {
    clearInterval(this.timer);
    for (const channel of [...this.channels.values()]) for (const queue of [...channel.subscribers]) queue.end();
  }

  private open(organizationId: string): Channel {
    const channel: Channel = {
      organizationId,
      subscribers: new Set(),
      lastDelivered: 0n,
      chain: Promise.resolve(),
      ready: Promise.resolve(),
      unsubscribeBus: null,
      closed: false,
      preparers: new Map(),
    };
    this.channels.set(organizationId, channel);
    // Listen first, then read where the log ends: an event committed in between is announced
    // and read, never skipped. The bus may be down: then the periodic check delivers.
    this.bus
      .subscribe(organizationId, (position, events) => this.catchUp(channel, position, events))
      .then((unsubscribe) => {
        if (channel.closed) return unsubscribe();
        channel.unsubscribeBus = unsubscribe;
        this.catchUp(channel, null); // anything committed while the subscription was pending
      })
      .catch((error: unknown) => this.log.warn({ err: error, organizationId }, "bus subscribe failed; relying on periodic checks"));
    channel.ready = this.prisma.organization
      .findUnique({ where: { id: organizationId }, select: { eventSeq: true } })
      .then((org) => void (channel.lastDelivered = org?.eventSeq ?? 0n));
    channel.chain = channel.ready.catch(() => {});
    return channel;
  }

  private leave(channel: Channel, queue: BoundedQueue<LiveEvent>): void {
    channel.subscribers.delete(queue);
    if (channel.subscribers.size > 0 || channel.closed) return;
    channel.closed = true;
    channel.unsubscribeBus?.();
    if (this.channels.get(channel.organizationId) === channel) this.channels.delete(channel.organizationId);
  }

  /**
   * Delivers what follows lastDelivered: the announced events themselves when they continue the
   * log exactly where this instance stands (the committing instance sent them; no read back),
   * else what the log holds after lastDelivered. `announced` skips the work when already delivered.
   */
  private catchUp(channel: Channel, announced: bigint | null, carried: readonly Event[] | null = null): void {
    channel.chain = channel.chain
      .then(async () => {
        if (channel.closed || (announced !== null && announced <= channel.lastDelivered)) return;
        const next = carried && continuation(carried, channel.lastDelivered, announced);
        if (next) return await this.deliver(channel, next);
        for (;;) {
          const events = await this.prisma.event.findMany({
            where: { organizationId: channel.organizationId, position: { gt: channel.lastDelivered } },
            orderBy: { position: "asc" },
            take: PAGE,
          });
          if (events.length === 0) return;
          await this.deliver(channel, events);
          if (events.length < PAGE) return;
        }
      })
      .catch((error: unknown) => this.log.error({ err: error, organizationId: channel.organizationId }, "event delivery failed; will retry"));
  }

  /** Hands events (consecutive, right after lastDelivered) to every subscriber, in order, once prepared. */
  private async deliver(channel: Channel, events: readonly Event[]): Promise<void> {
    // An admin's write in flight (most often the one that committed these events, writing its
    // answer) goes first: the preparation below executes each selection, a slice takes 0.5 ms.
    if (foregroundBusy()) await foregroundTurn();
    // One set of loaders per batch: everyone rendering these events shares its reads.
    const loaders = createLoaders(this.prisma);
    const lives = events.map((event): LiveEvent => ({ event, loaders }));
    if (channel.preparers.size > 0) {
      const pending: Promise<unknown>[] = [];
      for (const live of lives) {
        for (const { prepare } of channel.preparers.values()) {
          const ready = prepare(live);
          if (ready) pending.push(ready);
        }
      }
      // A failed preparation fails again for the subscribers that take the event (they report it).
      if (pending.length > 0) await Promise.allSettled(pending);
    }
    // In slices of about DELIVER_SLICE_MS, yielding between them: handing one event to 5,000
    // subscribers takes milliseconds, and a mutation waits for a turn of the loop before each of
    // its statements while holding its row locks (S4, docs/adr/0024). Subscriber by subscriber,
    // each taking the whole batch: the Set's iterator survives the yields and also visits a
    // subscriber that joins meanwhile (its replay stops at lastDelivered, still the old end, so
    // it gets these events from here, once); one that leaves meanwhile is skipped.
    let deadline = performance.now() + this.deliverSliceMs;
    let handed = 0;
    for (const queue of channel.subscribers) {
      for (const live of lives) queue.push(live);
      if (++handed % 64 === 0 && performance.now() >= deadline) {
        await foregroundTurn();
        deadline = performance.now() + this.deliverSliceMs;
      }
    }
    channel.lastDelivered = events[events.length - 1]!.position;
  }

  private checkAll(): void {
    const channels = [...this.channels.values()];
    if (channels.length === 0) return;
    this.prisma.organization
      .findMany({ where: { id: { in: channels.map((c) => c.organizationId) } }, select: { id: true, eventSeq: true } })
      .then((orgs) => {
        for (const org of orgs) {
          const channel = this.channels.get(org.id);
          if (channel && org.eventSeq > channel.lastDelivered) this.catchUp(channel, org.eventSeq);
        }
      })
      .catch((error: unknown) => this.log.warn({ err: error }, "event log check failed"));
  }
}

/**
 * The carried events after `last`, when they are exactly the positions last+1 … announced (no
 * gap before them, none between, nothing announced beyond them); null means "read the log".
 */
export function continuation(carried: readonly Event[], last: bigint, announced: bigint | null): readonly Event[] | null {
  const after = carried.filter((event) => event.position > last);
  if (after.length === 0) return null;
  let expected = last + 1n;
  for (const event of after) {
    if (event.position !== expected) return null;
    expected++;
  }
  return announced === null || announced === expected - 1n ? after : null;
}
