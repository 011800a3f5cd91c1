// The delivery pipeline (docs/adr/0020): every instance runs one dispatcher. Each webhook row
// carries its cursor in its organisation's event log; the dispatcher claims webhooks that are
// behind their log (and due, and not claimed by anyone) with FOR UPDATE SKIP LOCKED plus a
// lease, then delivers their events one at a time in log order, moving the cursor only when an
// event was delivered (or the webhook gave up on it). So a webhook gets its events in order,
// nothing is lost across a restart (the cursor and the retry state are rows), and with several
// instances each attempt is made by one of them. On PGlite the one process runs one pass at a
// time, and the same SQL claims.
//
// It wakes on the bus announcement of an organisation with webhooks (the one the EventHub
// hears), and polls as a fallback: a lost announcement, a retry coming due, another
// instance's new webhook.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Event } from "../../generated/prisma/client.ts";
import type { StatusEventKind, WebhookFormat } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import type { EventBus } from "../../lib/pubsub.ts";
import { encodeCursor } from "../events/cursor.ts";
import { deliverOnce, type WebhookSettings } from "./deliver.ts";
import { disabledReasonOf, retryDelayMs } from "./domain.ts";
import { notificationOf } from "./payload.ts";

/** Webhooks claimed per query; each is served concurrently with the others. */
const CLAIM_BATCH = 20;
/** Events delivered under one claim before the webhook goes back to the queue (fairness). */
const EVENTS_PER_CLAIM = 50;
/** How often the set of organisations whose announcements wake this dispatcher is refreshed. */
const FOLLOW_REFRESH_MS = 10_000;
/** Delivery records are kept this long (the dashboard shows the latest). */
const DELIVERY_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export const DISPATCHER_ACTOR = "system:webhooks";

interface Claimed {
  id: string;
  organizationId: string;
  url: string;
  kinds: StatusEventKind[];
  format: WebhookFormat;
  secret: string;
  cursor: bigint;
  failedAttempts: number;
  /** The end of the organisation's log when the claim was made. */
  eventSeq: bigint;
}

// Timestamps are compared in UTC, as Prisma stores DateTime (timestamp(3) without time zone).
const utc = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;
const CLAIM = `
UPDATE "Webhook" AS w SET "leaseToken" = $1, "leaseUntil" = ${utc(2)}
FROM (
  SELECT h.id, o."eventSeq"
  FROM "Webhook" h JOIN "Organization" o ON o.id = h."organizationId"
  WHERE h.enabled AND h."deletedAt" IS NULL AND h.cursor < o."eventSeq"
    AND (h."nextAttemptAt" IS NULL OR h."nextAttemptAt" <= ${utc(3)})
    AND (h."leaseUntil" IS NULL OR h."leaseUntil" < ${utc(3)})
  ORDER BY h."nextAttemptAt" ASC NULLS FIRST, h.id
  LIMIT $4
  FOR UPDATE OF h SKIP LOCKED
) AS due
WHERE w.id = due.id
RETURNING w.id, w."organizationId", w.url, w.kinds::text[] AS kinds, w.format::text AS format, w.secret, w.cursor,
  w."failedAttempts", due."eventSeq"`;

export interface DispatcherDeps {
  prisma: Prisma;
  bus: EventBus;
  log: Logger;
  settings: WebhookSettings;
  publicUrl: () => string;
}

export class WebhookDispatcher {
  /** This instance's claims carry it; a claim another instance holds is never touched. */
  private readonly token = randomUUID();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly followed = new Map<string, Promise<() => void>>();
  private lastFollowRefresh = 0;
  private lastPrune = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Runs a pass now, or once more after the one running (announcements, new webhooks). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes()
      .catch((error: unknown) => this.deps.log.warn({ err: error }, "webhook dispatcher pass failed; retrying on the next tick"))
      .finally(() => (this.running = null));
  }

  /** Waits for the pass in flight (tests, and stop). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Learns of an organisation's webhooks at once (a webhook made or enabled on this instance). */
  follow(organizationId: string): void {
    if (this.stopped || this.followed.has(organizationId)) return;
    const subscription = this.deps.bus.subscribe(organizationId, () => this.wake());
    // Redis may refuse (down, or closing): forget the subscription so the next refresh asks
    // again; meanwhile the poll delivers, only a little later.
    subscription.catch((error: unknown) => {
      if (this.followed.get(organizationId) === subscription) this.followed.delete(organizationId);
      if (!this.stopped) this.deps.log.warn({ err: error, organizationId }, "webhook dispatcher could not follow the organisation's channel; polling meanwhile");
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
      for (;;) {
        if (this.stopped) return;
        const claimed = await this.claim();
        if (claimed.length === 0) break;
        await Promise.all(claimed.map((webhook) => this.serve(webhook)));
      }
    } while (this.again && !this.stopped);
  }

  private async claim(): Promise<Claimed[]> {
    const now = Date.now();
    return this.deps.prisma.$queryRawUnsafe<Claimed[]>(
      CLAIM,
      this.token,
      new Date(now + this.deps.settings.leaseMs).toISOString(),
      new Date(now).toISOString(),
      CLAIM_BATCH,
    );
  }

  /** Delivers the claimed webhook's next events in order until one fails or none is left. */
  private async serve(webhook: Claimed): Promise<void> {
    const { prisma, log } = this.deps;
    let cursor = webhook.cursor;
    let failedAttempts = webhook.failedAttempts;
    try {
      for (let served = 0; served < EVENTS_PER_CLAIM && !this.stopped; served++) {
        const event = await prisma.event.findFirst({
          where: { organizationId: webhook.organizationId, position: { gt: cursor, lte: webhook.eventSeq }, kind: { in: webhook.kinds } },
          orderBy: { position: "asc" },
        });
        if (!event) {
          // Nothing it wants up to where the log stood at the claim: skip the rest (an event it
          // was retrying, too, when its kinds changed since: the count starts again after it).
          await this.release(webhook, { cursor: webhook.eventSeq, failedAttempts: 0, nextAttemptAt: null });
          return;
        }
        const outcome = await this.attempt(webhook, event, failedAttempts + 1);
        if (outcome !== "delivered") return; // released (or lost) by attempt()
        cursor = event.position;
        failedAttempts = 0;
      }
      await this.release(webhook, {});
    } catch (error) {
      log.warn({ err: error, webhookId: webhook.id }, "webhook delivery failed inside the dispatcher; the lease expires and another pass retries");
    }
  }

  private async attempt(webhook: Claimed, event: Event, attempt: number): Promise<"delivered" | "failed" | "lost"> {
    const { prisma, log, settings } = this.deps;
    const id = randomUUID();
    const startedAt = new Date();
    const payload = await notificationOf(prisma, event, this.deps.publicUrl());
    const result = await deliverOnce(webhook, payload, id, settings);
    const delay = result.succeeded ? null : retryDelayMs(attempt, settings.retry);
    const giveUp = !result.succeeded && delay === null;
    const nextAttemptAt = delay === null ? null : new Date(Date.now() + delay);
    const lastFailure = result.error ?? `HTTP ${result.status}`;
    const kept = await prisma.$transaction(async (tx) => {
      await tx.webhookDelivery.create({
        data: {
          id,
          organizationId: webhook.organizationId,
          webhookId: webhook.id,
          position: event.position,
          kind: event.kind,
          attempt,
          responseStatus: result.status,
          succeeded: result.succeeded,
          durationMs: result.durationMs,
          error: result.error,
          nextAttemptAt,
          createdAt: startedAt,
        },
      });
      const data = result.succeeded
        ? { cursor: event.position, failedAttempts: 0, nextAttemptAt: null, leaseUntil: new Date(Date.now() + settings.leaseMs) }
        : giveUp
          ? {
              enabled: false,
              disabledReason: disabledReasonOf(attempt, encodeCursor(event.position), lastFailure, new Date()),
              failedAttempts: attempt,
              nextAttemptAt: null,
              leaseToken: null,
              leaseUntil: null,
            }
          : { failedAttempts: attempt, nextAttemptAt, leaseToken: null, leaseUntil: null };
      const { count } = await tx.webhook.updateMany({ where: { id: webhook.id, leaseToken: this.token }, data });
      if (giveUp && count === 1) {
        await tx.auditEntry.create({ data: { organizationId: webhook.organizationId, actor: DISPATCHER_ACTOR, action: "webhook.disable", targetId: webhook.id } });
      }
      return count === 1;
    });
    log.info(
      { webhookId: webhook.id, deliveryId: id, cursor: payload.cursor, attempt, status: result.status, ms: result.durationMs, error: result.error ?? undefined, disabled: giveUp || undefined },
      "webhook delivery",
    );
    if (!kept) return "lost"; // the lease ran out mid-attempt: whoever holds it now carries on
    return result.succeeded ? "delivered" : "failed";
  }

  private async release(webhook: Claimed, data: { cursor?: bigint; failedAttempts?: number; nextAttemptAt?: null }): Promise<void> {
    await this.deps.prisma.webhook.updateMany({ where: { id: webhook.id, leaseToken: this.token }, data: { ...data, leaseToken: null, leaseUntil: null } });
  }

  /** Follows the announcements of every organisation with enabled webhooks; prunes old records. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastFollowRefresh >= FOLLOW_REFRESH_MS) {
      this.lastFollowRefresh = now;
      const rows = await this.deps.prisma.webhook.findMany({ where: { enabled: true, deletedAt: null }, select: { organizationId: true }, distinct: ["organizationId"] });
      const wanted = new Set(rows.map((row) => row.organizationId));
      for (const organizationId of wanted) this.follow(organizationId);
      for (const [organizationId, unsubscribe] of this.followed) {
        if (wanted.has(organizationId)) continue;
        this.followed.delete(organizationId);
        void unsubscribe.then((stop) => stop()).catch(() => {});
      }
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.deps.prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: new Date(now - DELIVERY_RETENTION_MS) } } });
    }
  }
}
