// Subscription.organizationEvents (members) and Subscription.statusPageEvents (public): with
// `after`, every later event from the log first, then live ones; without it, live only.
import type { AppServices, Context, Transport } from "../../context.ts";
import type { Event } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { notFound } from "../../graphql/errors.ts";
import { StatusEventRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { createLoaders } from "../../lib/loaders.ts";
import { decodeCursor } from "./cursor.ts";
import type { Watched } from "../auth/authority.ts";
import type { Viewer } from "../auth/viewer.ts";
import type { BoundedQueue, Consumer } from "./bounded-queue.ts";
import type { LiveEvent, LiveSource, Preparer } from "./hub.ts";

const REPLAY_PAGE = 200;
const AFTER = "Resume after this cursor: first every later event from the log, in order, then live ones.";

/**
 * Registers for live events before reading the log, so nothing committed in between is
 * missed; events the replay already yielded are dropped from the live stream.
 */
async function eventsOf(ctx: Context, organizationId: string, after: string | null | undefined, asMember: boolean): Promise<AsyncIterableIterator<LiveEvent>> {
  const last = after ? decodeCursor(after) : null;
  const { services, transport } = ctx;
  const stream = new EventStream(services, transport, organizationId, last);
  const { queue, position } = await services.hub.follow(organizationId, () => transport?.dropSlowSubscriber());
  stream.start(queue, position, ctx.viewer, asMember);
  return stream;
}

/**
 * One subscription's events: the replay from the log (when `after` was given), then the hub's.
 *
 * An explicit iterator, not an async generator: a generator suspended while waiting for the
 * next event cannot be returned until that event arrives, so a closed subscription would stay
 * registered (and be sent one more event). Here return() unregisters at once. A class, so that
 * an idle subscription holds its state and no closures of its own (docs/adr/0014).
 *
 * Once the replay is done and nothing is buffered, a consumer may attach instead of calling
 * next(): the hub's push then reaches it synchronously, through the same dedupe (docs/adr/0015).
 */
class EventStream implements AsyncIterableIterator<LiveEvent>, LiveSource, Consumer<LiveEvent> {
  private queue!: BoundedQueue<LiveEvent>;
  private sink: Consumer<LiveEvent> | null = null;
  /** Where the log was when the hub took this subscriber: the replay ends there. */
  private position = 0n;
  private watched!: Watched;
  private revoked = false;
  private replay: LiveEvent[] = [];
  private logExhausted: boolean;

  constructor(
    // Not the operation's context: a subscription keeps what it uses, not the whole of it.
    private readonly services: AppServices,
    private readonly transport: Transport | undefined,
    private readonly organizationId: string,
    /** The last position yielded (or resumed after). */
    private last: bigint | null,
  ) {
    this.logExhausted = last === null;
  }

  start(queue: BoundedQueue<LiveEvent>, position: bigint, viewer: Viewer, asMember: boolean): void {
    this.queue = queue;
    this.position = position;
    // A WebSocket is watched as a whole (lib/websocket.ts); an SSE stream is one subscription,
    // watched here: when authority is taken away it ends, and its client must sign in again.
    this.watched =
      this.transport?.watched ??
      this.services.authority.watch(viewer, () => {
        this.revoked = true;
        queue.end();
      });
    if (asMember) this.watched.follow(this.organizationId);
  }

  async next(): Promise<IteratorResult<LiveEvent>> {
    if (this.revoked) return { value: undefined, done: true };
    const fromLog = this.logExhausted && this.replay.length === 0 ? null : await this.nextFromLog();
    if (fromLog) {
      this.last = fromLog.event.position;
      return { value: fromLog, done: false };
    }
    for (;;) {
      const live = await this.queue.next();
      if (live.done) {
        if (!this.transport) this.watched.release();
        return live;
      }
      if (this.last !== null && live.value.event.position <= this.last) continue;
      this.last = live.value.event.position;
      return live;
    }
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    if (!this.transport) this.watched.release();
    this.detach();
    return this.queue.return();
  }

  attach(sink: Consumer<LiveEvent>): boolean {
    if (this.revoked || !this.logExhausted || this.replay.length > 0 || !this.queue.attach(this)) return false;
    this.sink = sink;
    return true;
  }

  detach(): void {
    this.sink = null;
    this.queue.detach();
  }

  prepare(key: object, preparer: Preparer): () => void {
    return this.services.hub.prepare(this.organizationId, key, preparer);
  }

  /** From the hub's push, while attached: live events only, each once, in log order. */
  accept(live: LiveEvent): void {
    if (this.last !== null && live.event.position <= this.last) return;
    this.last = live.event.position;
    this.sink?.accept(live);
  }

  ended(): void {
    if (!this.transport) this.watched.release();
    const sink = this.sink;
    this.sink = null;
    sink?.ended();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async nextFromLog(): Promise<LiveEvent | null> {
    const { last, position } = this;
    if (this.replay.length === 0 && !this.logExhausted && last !== null && last < position) {
      const prisma = this.services.db.prisma;
      const rows: Event[] = await prisma.event.findMany({
        where: { organizationId: this.organizationId, position: { gt: last, lte: position } },
        orderBy: { position: "asc" },
        take: REPLAY_PAGE,
      });
      const loaders = createLoaders(prisma);
      this.replay = rows.map((event) => ({ event, loaders }));
      if (rows.length < REPLAY_PAGE) this.logExhausted = true;
    }
    const item = this.replay.shift();
    if (!item) this.logExhausted = true;
    return item ?? null;
  }
}

builder.subscriptionType({ subGraphs: ["Admin", "Public"] });

builder.subscriptionFields((t) => ({
  organizationEvents: t.field({
    type: StatusEventRef,
    subGraphs: ["Admin"],
    description: "Every change in the organisation, for its members, admins and API tokens.",
    args: { organizationId: t.arg.id({ validate: v.id }), after: t.arg.string({ required: false, description: AFTER }) },
    authScopes: (_, args) => ({ member: String(args.organizationId) }),
    subscribe: (_, args, ctx) => eventsOf(ctx, String(args.organizationId), args.after, true),
    resolve: (live: LiveEvent) => ({ ...live.event, audience: "member" as const }),
  }),
  statusPageEvents: t.field({
    type: StatusEventRef,
    subGraphs: ["Admin", "Public"],
    description: "Every change of a status page, for anyone; the objects carry their public fields only on /graphql/public.",
    args: { slug: t.arg.string({ validate: v.slug }), after: t.arg.string({ required: false, description: AFTER }) },
    subscribe: async (_, args, ctx) => {
      const org = await ctx.prisma.organization.findUnique({ where: { slug: args.slug }, select: { id: true } });
      if (!org) throw notFound("Status page");
      return eventsOf(ctx, org.id, args.after, false);
    },
    // The public page's view on both endpoints: deleted and cancelled objects are id-only (events/visibility.ts).
    resolve: (live: LiveEvent) => ({ ...live.event, audience: "public" as const }),
  }),
}));
