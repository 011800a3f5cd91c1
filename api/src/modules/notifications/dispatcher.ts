// The delivery pipeline (docs/adr/0020): every instance runs one dispatcher. Each destination
// row (a webhook, an email subscriber: a DestinationKind each) carries its cursor in its
// organisation's event log; the dispatcher claims destinations that are behind their log (and
// due, and not claimed by anyone) with FOR UPDATE SKIP LOCKED plus a lease, then delivers their
// events one at a time in log order, moving the cursor only when an event was delivered (or the
// destination gave up on it, or does not want it). So a destination gets its events in order,
// nothing is lost across a restart (the cursor and the retry state are rows), and with several
// instances each attempt is made by one of them. On PGlite the one process runs one pass at a
// time, and the same SQL claims.
//
// It wakes on the bus announcement of an organisation with destinations (the one the EventHub
// hears), and polls as a fallback: a lost announcement, a retry coming due, another
// instance's new destination.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Event } from "../../generated/prisma/client.ts";
import type { StatusEventKind } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import type { EventBus } from "../../lib/pubsub.ts";
import type { Tx } from "../../lib/tx.ts";
import { encodeCursor } from "../events/cursor.ts";
import { retryDelayMs, type RetryPolicy } from "../webhooks/domain.ts";
import type { NotificationPayload } from "../webhooks/messages.ts";
import { notificationOf } from "../webhooks/payload.ts";

/** Destinations of one kind claimed per query; each is served concurrently with the others. */
const CLAIM_BATCH = 20;
/** Events delivered under one claim before the destination goes back to the queue (fairness). */
const EVENTS_PER_CLAIM = 50;
/** How often the set of organisations whose announcements wake this dispatcher is refreshed. */
const FOLLOW_REFRESH_MS = 10_000;
/** Delivery records are kept this long (the dashboard shows the latest). */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/** The columns of a claimed row that every destination table has (the claim returns them). */
export interface ClaimedRow {
  id: string;
  organizationId: string;
  cursor: bigint;
  failedAttempts: number;
  /** The end of the organisation's log when the claim was made. */
  eventSeq: bigint;
}

/** One attempt's outcome, whatever carried it (an HTTP POST, an SMTP transaction). */
export interface AttemptResult {
  succeeded: boolean;
  /** The HTTP status, when there is one and an answer came. */
  status: number | null;
  durationMs: number;
  /** What went wrong (never the receiver's body, never a resolved address). */
  error: string | null;
}

/** What the dispatcher writes on a destination row: the pipeline's columns, shared by every table. */
export interface PipelineState {
  cursor?: bigint;
  failedAttempts?: number;
  nextAttemptAt?: Date | null;
  leaseToken?: string | null;
  leaseUntil?: Date | null;
  enabled?: boolean;
  disabledReason?: string;
}

export interface AttemptRecord {
  id: string;
  event: Event;
  attempt: number;
  result: AttemptResult;
  nextAttemptAt: Date | null;
  startedAt: Date;
}

/** The columns every attempt record has (WebhookDelivery, SubscriberDelivery), for `record`. */
export function attemptColumns(destination: ClaimedRow, { id, event, attempt, result, nextAttemptAt, startedAt }: AttemptRecord) {
  return {
    id,
    organizationId: destination.organizationId,
    position: event.position,
    kind: event.kind,
    attempt,
    succeeded: result.succeeded,
    durationMs: result.durationMs,
    error: result.error,
    nextAttemptAt,
    createdAt: startedAt,
  };
}

/** A kind of destination: its table, which rows take part, what they want and how one is sent to. */
export interface DestinationKind<D extends ClaimedRow> {
  /** In logs: "webhook", "subscriber". */
  name: string;
  /** The table (a constant, never input) and the condition on its row `h` for taking part. */
  table: string;
  eligible: string;
  /** What the claim returns besides the ClaimedRow columns (of the updated row `w`). */
  columns: string;
  /** The audit actor and action when the dispatcher disables one. */
  actor: string;
  disableAction: string;
  /** The kinds of event it may want (filtered in the query)… */
  kinds(destination: D): StatusEventKind[];
  /** …and, when set, whether it wants this one (read from the database); one it does not is skipped. */
  wants?(prisma: Prisma, destination: D, event: Event): Promise<boolean>;
  send(destination: D, payload: NotificationPayload, attemptId: string): Promise<AttemptResult>;
  /** Writes the attempt's record, in the transaction that moves the cursor or schedules the retry. */
  record(tx: Tx, destination: D, attempt: AttemptRecord): Promise<void>;
  /** The message kept on a destination the dispatcher disabled. */
  disabledReason(attempts: number, eventCursor: string, lastFailure: string, at: Date): string;
  /** updateMany on its table, only while `leaseToken` holds the claim; the count of rows written. */
  update(db: Prisma | Tx, id: string, leaseToken: string, data: PipelineState): Promise<number>;
  /** The organisations with destinations of this kind that take part (their announcements wake the dispatcher). */
  organizations(prisma: Prisma): Promise<string[]>;
  /** Deletes records older than `before` (and whatever else of this kind has expired). */
  prune(prisma: Prisma, before: Date): Promise<void>;
}

export interface DispatcherSettings {
  retry: RetryPolicy;
  /** How often every instance looks for due destinations when no announcement woke it. */
  pollIntervalMs: number;
  /** How long a claim on a destination lasts without renewal (an instance that died loses it then). */
  leaseMs: number;
}

export interface DispatcherDeps {
  prisma: Prisma;
  bus: EventBus;
  log: Logger;
  settings: DispatcherSettings;
  publicUrl: () => string;
}

// Timestamps are compared in UTC, as Prisma stores DateTime (timestamp(3) without time zone).
const utc = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

/** The one claim statement, for any destination table (docs/adr/0020). */
export function claimStatement(kind: Pick<DestinationKind<ClaimedRow>, "table" | "eligible" | "columns">): string {
  return `
UPDATE "${kind.table}" AS w SET "leaseToken" = $1, "leaseUntil" = ${utc(2)}
FROM (
  SELECT h.id, o."eventSeq"
  FROM "${kind.table}" h JOIN "Organization" o ON o.id = h."organizationId"
  WHERE ${kind.eligible} AND h.cursor < o."eventSeq"
    AND (h."nextAttemptAt" IS NULL OR h."nextAttemptAt" <= ${utc(3)})
    AND (h."leaseUntil" IS NULL OR h."leaseUntil" < ${utc(3)})
  ORDER BY h."nextAttemptAt" ASC NULLS FIRST, h.id
  LIMIT $4
  FOR UPDATE OF h SKIP LOCKED
) AS due
WHERE w.id = due.id
RETURNING w.id, w."organizationId", w.cursor, w."failedAttempts", due."eventSeq", ${kind.columns}`;
}

/** The dispatcher's work on one kind of destination: claim, serve in order, record, release. */
class Lane<D extends ClaimedRow> {
  private readonly claim: string;

  constructor(
    private readonly kind: DestinationKind<D>,
    private readonly deps: DispatcherDeps,
    private readonly token: string,
    private readonly stopped: () => boolean,
  ) {
    this.claim = claimStatement(kind);
  }

  /** Claims and serves until nothing of this kind is due. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.stopped()) return;
      const now = Date.now();
      const claimed = await this.deps.prisma.$queryRawUnsafe<D[]>(
        this.claim,
        this.token,
        new Date(now + this.deps.settings.leaseMs).toISOString(),
        new Date(now).toISOString(),
        CLAIM_BATCH,
      );
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((destination) => this.serve(destination)));
    }
  }

  organizations(): Promise<string[]> {
    return this.kind.organizations(this.deps.prisma);
  }

  prune(before: Date): Promise<void> {
    return this.kind.prune(this.deps.prisma, before);
  }

  /** Delivers the claimed destination's next events in order until one fails or none is left. */
  private async serve(destination: D): Promise<void> {
    const { prisma, log } = this.deps;
    const { kind } = this;
    let cursor = destination.cursor;
    let failedAttempts = destination.failedAttempts;
    try {
      for (let served = 0; served < EVENTS_PER_CLAIM && !this.stopped(); served++) {
        const event = await prisma.event.findFirst({
          where: { organizationId: destination.organizationId, position: { gt: cursor, lte: destination.eventSeq }, kind: { in: kind.kinds(destination) } },
          orderBy: { position: "asc" },
        });
        if (!event) {
          // Nothing it wants up to where the log stood at the claim: skip the rest (an event it
          // was retrying, too, when its kinds changed since: the count starts again after it).
          await this.release(destination, { cursor: destination.eventSeq, failedAttempts: 0, nextAttemptAt: null });
          return;
        }
        if (kind.wants && !(await kind.wants(prisma, destination, event))) {
          // Not for it (another service's incident): past it, keeping the claim.
          const moved = await kind.update(prisma, destination.id, this.token, { cursor: event.position, failedAttempts: 0, nextAttemptAt: null });
          if (moved === 0) return; // the lease ran out: whoever holds it now carries on
        } else {
          const outcome = await this.attempt(destination, event, failedAttempts + 1);
          if (outcome !== "delivered") return; // released (or lost) by attempt()
        }
        cursor = event.position;
        failedAttempts = 0;
      }
      await this.release(destination, {});
    } catch (error) {
      log.warn({ err: error, destination: kind.name, id: destination.id }, "delivery failed inside the dispatcher; the lease expires and another pass retries");
    }
  }

  private async attempt(destination: D, event: Event, attempt: number): Promise<"delivered" | "failed" | "lost"> {
    const { prisma, log, settings } = this.deps;
    const { kind } = this;
    const id = randomUUID();
    const startedAt = new Date();
    const payload = await notificationOf(prisma, event, this.deps.publicUrl());
    const result = await kind.send(destination, payload, id);
    const delay = result.succeeded ? null : retryDelayMs(attempt, settings.retry);
    const giveUp = !result.succeeded && delay === null;
    const nextAttemptAt = delay === null ? null : new Date(Date.now() + delay);
    const lastFailure = result.error ?? `HTTP ${result.status}`;
    const kept = await prisma.$transaction(async (tx) => {
      await kind.record(tx, destination, { id, event, attempt, result, nextAttemptAt, startedAt });
      const data: PipelineState = result.succeeded
        ? { cursor: event.position, failedAttempts: 0, nextAttemptAt: null, leaseUntil: new Date(Date.now() + settings.leaseMs) }
        : giveUp
          ? {
              enabled: false,
              disabledReason: kind.disabledReason(attempt, encodeCursor(event.position), lastFailure, new Date()),
              failedAttempts: attempt,
              nextAttemptAt: null,
              leaseToken: null,
              leaseUntil: null,
            }
          : { failedAttempts: attempt, nextAttemptAt, leaseToken: null, leaseUntil: null };
      const count = await kind.update(tx, destination.id, this.token, data);
      if (giveUp && count === 1) {
        await tx.auditEntry.create({ data: { organizationId: destination.organizationId, actor: kind.actor, action: kind.disableAction, targetId: destination.id } });
      }
      return count === 1;
    });
    log.info(
      { destination: kind.name, id: destination.id, deliveryId: id, cursor: payload.cursor, attempt, status: result.status ?? undefined, ms: result.durationMs, error: result.error ?? undefined, disabled: giveUp || undefined },
      `${kind.name} delivery`,
    );
    if (!kept) return "lost"; // the lease ran out mid-attempt: whoever holds it now carries on
    return result.succeeded ? "delivered" : "failed";
  }

  private async release(destination: D, data: PipelineState): Promise<void> {
    await this.kind.update(this.deps.prisma, destination.id, this.token, { ...data, leaseToken: null, leaseUntil: null });
  }
}

/** One lane of any kind, as the dispatcher drives it. */
interface AnyLane {
  drain(): Promise<void>;
  organizations(): Promise<string[]>;
  prune(before: Date): Promise<void>;
}

export class NotificationDispatcher {
  /** This instance's claims carry it; a claim another instance holds is never touched. */
  private readonly token = randomUUID();
  private readonly lanes: AnyLane[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly followed = new Map<string, Promise<() => void>>();
  private lastFollowRefresh = 0;
  private lastPrune = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Adds a kind of destination (before start). */
  serve<D extends ClaimedRow>(kind: DestinationKind<D>): this {
    this.lanes.push(new Lane(kind, this.deps, this.token, () => this.stopped));
    return this;
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Runs a pass now, or once more after the one running (announcements, new destinations). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, "notification dispatcher pass failed; retrying on the next tick"))
      .finally(() => (this.running = null));
  }

  /** Waits for the pass in flight (tests, and stop). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Learns of an organisation's destinations at once (one made or enabled on this instance). */
  follow(organizationId: string): void {
    if (this.stopped || this.followed.has(organizationId)) return;
    const subscription = this.deps.bus.subscribe(organizationId, () => this.wake());
    // Redis may refuse (down, or closing): forget the subscription so the next refresh asks
    // again; meanwhile the poll delivers, only a little later.
    subscription.catch((error: unknown) => {
      if (this.followed.get(organizationId) === subscription) this.followed.delete(organizationId);
      if (!this.stopped) this.deps.log.warn({ err: error, organizationId }, "notification dispatcher could not follow the organisation's channel; polling meanwhile");
    });
    this.followed.set(organizationId, subscription);
  }

  /** Finishes the attempts in flight (each bounded by the per-attempt timeout), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
    const unsubscribes = await Promise.allSettled(this.followed.values());
    for (const result of unsubscribes) if (result.status === "fulfilled") result.value();
    this.followed.clear();
  }

  private async passes(): Promise<void> {
    await this.housekeeping();
    do {
      this.again = false;
      // The kinds side by side: a slow webhook receiver never holds back the mails.
      await Promise.all(this.lanes.map((lane) => lane.drain()));
    } while (this.again && !this.stopped);
  }

  /** Follows the announcements of every organisation with destinations; prunes old records. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastFollowRefresh >= FOLLOW_REFRESH_MS) {
      this.lastFollowRefresh = now;
      const wanted = new Set((await Promise.all(this.lanes.map((lane) => lane.organizations()))).flat());
      for (const organizationId of wanted) this.follow(organizationId);
      for (const [organizationId, unsubscribe] of this.followed) {
        if (wanted.has(organizationId)) continue;
        this.followed.delete(organizationId);
        void unsubscribe.then((stop) => stop()).catch(() => {});
      }
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      for (const lane of this.lanes) await lane.prune(new Date(now - DELIVERY_RETENTION_MS));
    }
  }
}
