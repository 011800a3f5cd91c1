// Subscription.organizationEvents (members) and Subscription.statusPageEvents (public): with
// `after`, every later event from the log first, then live ones; without it, live only.
import type { Context } from "../../context.ts";
import type { Event } from "../../generated/prisma/client.ts";
import { builder } from "../../graphql/builder.ts";
import { notFound } from "../../graphql/errors.ts";
import { StatusEventRef } from "../../graphql/refs.ts";
import * as v from "../../graphql/validation.ts";
import { createLoaders } from "../../lib/loaders.ts";
import { decodeCursor } from "./cursor.ts";
import type { LiveEvent } from "./hub.ts";

const REPLAY_PAGE = 200;
const AFTER = "Resume after this cursor: first every later event from the log, in order, then live ones.";

/**
 * Registers for live events before reading the log, so nothing committed in between is
 * missed; events the replay already yielded are dropped from the live stream.
 *
 * An explicit iterator, not an async generator: a generator suspended while waiting for the
 * next event cannot be returned until that event arrives, so a closed subscription would stay
 * registered (and be sent one more event). Here return() unregisters at once.
 */
async function eventsOf(ctx: Context, organizationId: string, after: string | null | undefined, asMember: boolean): Promise<AsyncIterableIterator<LiveEvent>> {
  let last = after ? decodeCursor(after) : null;
  const { queue, position } = await ctx.services.hub.follow(organizationId, () => ctx.transport?.dropSlowSubscriber());
  // A WebSocket is watched as a whole (lib/websocket.ts); an SSE stream is one subscription,
  // watched here: when authority is taken away it ends, and its client must sign in again.
  let revoked = false;
  const watched =
    ctx.transport?.watched ??
    ctx.services.authority.watch(ctx.viewer, () => {
      revoked = true;
      queue.end();
    });
  if (asMember) watched.follow(organizationId);
  let replay: LiveEvent[] = [];
  let logExhausted = last === null;

  const nextFromLog = async (): Promise<LiveEvent | null> => {
    if (replay.length === 0 && !logExhausted && last !== null && last < position) {
      const rows: Event[] = await ctx.prisma.event.findMany({
        where: { organizationId, position: { gt: last, lte: position } },
        orderBy: { position: "asc" },
        take: REPLAY_PAGE,
      });
      const loaders = createLoaders(ctx.prisma);
      replay = rows.map((event) => ({ event, loaders }));
      if (rows.length < REPLAY_PAGE) logExhausted = true;
    }
    const item = replay.shift();
    if (!item) logExhausted = true;
    return item ?? null;
  };

  const stream: AsyncIterableIterator<LiveEvent> = {
    async next() {
      if (revoked) return { value: undefined, done: true };
      const fromLog = logExhausted && replay.length === 0 ? null : await nextFromLog();
      if (fromLog) {
        last = fromLog.event.position;
        return { value: fromLog, done: false };
      }
      for (;;) {
        const live = await queue.next();
        if (live.done) {
          if (!ctx.transport) watched.release();
          return live;
        }
        if (last !== null && live.value.event.position <= last) continue;
        last = live.value.event.position;
        return live;
      }
    },
    return: () => {
      if (!ctx.transport) watched.release();
      return queue.return();
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
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
