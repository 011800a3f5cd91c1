// Email subscribers as a kind of destination of the notification pipeline (modules/notifications/
// dispatcher.ts, docs/adr/0020, 0021): confirmed, enabled rows take part; they want the incident
// and maintenance events of API.md, of an incident or window touching a service they chose (any,
// when they chose none) and not deleted since; the notification is mailed (lib/mailer.ts) with
// the subscriber's manage and one-click unsubscribe links; each attempt is a SubscriberDelivery.
import { LRUCache } from "lru-cache";
import type { Event } from "../../generated/prisma/client.ts";
import type { StatusEventKind } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import type { Mailer } from "../../lib/mailer.ts";
import { attemptColumns, type ClaimedRow, type DestinationKind } from "../notifications/dispatcher.ts";
import { manageLinks, notificationMail } from "./mail.ts";
import type { SubscriptionTokens } from "./tokens.ts";
import { CONFIRMATION_TTL_MS } from "./tokens.ts";

export const SUBSCRIBER_DISPATCHER_ACTOR = "system:subscribers";

/** API.md "Notifications": what a subscriber is mailed about. */
export const SUBSCRIBER_EVENT_KINDS: StatusEventKind[] = [
  "INCIDENT_CREATED",
  "INCIDENT_UPDATED",
  "INCIDENT_RESOLVED",
  "MAINTENANCE_SCHEDULED",
  "MAINTENANCE_STARTED",
  "MAINTENANCE_COMPLETED",
];

/** One SMTP transaction's limit (connecting, the dialogue, the data); nodemailer's own are minutes. */
export const MAIL_TIMEOUT_MS = 30_000;

/** Unconfirmed subscribers are deleted this long after their last confirmation mail. */
const UNCONFIRMED_RETENTION_MS = CONFIRMATION_TTL_MS + 86_400_000;

interface ClaimedSubscriber extends ClaimedRow {
  email: string;
  serviceIds: string[];
}

export interface SubscriberDestinationDeps {
  mailer: Mailer;
  tokens: SubscriptionTokens;
  publicUrl: () => string;
  timeoutMs?: number;
}

/**
 * How long the services an event's incident or window touches are reused. One event is served to
 * every subscriber of the page within moments (twenty at a time); reading what it touches once per
 * event rather than once per subscriber turns 10,000 statements for 10,000 subscribers into one.
 * Short, because it is read "as it is now": a deleted incident touches nothing.
 */
const TOUCHED_TTL_MS = 1_000;

/** The services the event's incident (not deleted) or maintenance window touches, one read per event and second. */
function touchedServices() {
  const touched = new LRUCache<string, Promise<ReadonlySet<string>>>({ max: 1_000, ttl: TOUCHED_TTL_MS });
  const read = async (prisma: Prisma, event: Event): Promise<ReadonlySet<string>> => {
    const rows = event.incidentId
      ? await prisma.incidentService.findMany({ where: { incidentId: event.incidentId, incident: { deletedAt: null } }, select: { serviceId: true } })
      : await prisma.maintenanceService.findMany({ where: { maintenanceId: event.maintenanceId! }, select: { serviceId: true } });
    return new Set(rows.map((row) => row.serviceId));
  };
  return (prisma: Prisma, event: Event): Promise<ReadonlySet<string>> => {
    const key = event.incidentId ? `incident:${event.incidentId}` : `maintenance:${event.maintenanceId}`;
    let services = touched.get(key);
    if (!services) {
      // Single-flight: the twenty subscribers served at once share one statement.
      touched.set(key, (services = read(prisma, event)));
      services.catch(() => touched.delete(key));
    }
    return services;
  };
}

export function subscriberDestinations({ mailer, tokens, publicUrl, timeoutMs = MAIL_TIMEOUT_MS }: SubscriberDestinationDeps): DestinationKind<ClaimedSubscriber> {
  const touched = touchedServices();
  return {
    name: "subscriber",
    table: "Subscriber",
    eligible: `h.enabled AND h."confirmedAt" IS NOT NULL`,
    columns: `w.email, w."serviceIds"`,
    actor: SUBSCRIBER_DISPATCHER_ACTOR,
    disableAction: "subscriber.disable",
    kinds: () => SUBSCRIBER_EVENT_KINDS,
    async wants(prisma, subscriber, event) {
      if (!event.incidentId && !event.maintenanceId) return false;
      const chosen = subscriber.serviceIds;
      // A window reaches whoever follows all services; an incident must still touch a live one.
      if (chosen.length === 0 && !event.incidentId) return true;
      const services = await touched(prisma, event);
      return chosen.length === 0 ? services.size > 0 : chosen.some((id) => services.has(id));
    },
    async send(subscriber, payload) {
      const started = performance.now();
      const links = manageLinks(publicUrl(), payload.organization.slug, tokens.issue("manage", subscriber.id));
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          mailer.send(notificationMail(subscriber.email, payload, links)),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the SMTP server within ${timeoutMs / 1000} s`)), timeoutMs))),
        ]);
        return { succeeded: true, status: null, durationMs: Math.round(performance.now() - started), error: null };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { succeeded: false, status: null, durationMs: Math.round(performance.now() - started), error: message.slice(0, 500) };
      } finally {
        clearTimeout(timer);
      }
    },
    async record(tx, subscriber, attempt) {
      await tx.subscriberDelivery.create({ data: { ...attemptColumns(subscriber, attempt), subscriberId: subscriber.id } });
    },
    disabledReason: (attempts, eventCursor, lastFailure, at) =>
      `Disabled at ${at.toISOString()} after ${attempts} failed attempts to mail event ${eventCursor} (last: ${lastFailure}).`,
    update: async (db, id, leaseToken, data) => (await db.subscriber.updateMany({ where: { id, leaseToken }, data })).count,
    organizations: async (prisma) =>
      (await prisma.subscriber.findMany({ where: { enabled: true, confirmedAt: { not: null } }, select: { organizationId: true }, distinct: ["organizationId"] })).map(
        (row) => row.organizationId,
      ),
    async prune(prisma, before) {
      await prisma.subscriberDelivery.deleteMany({ where: { createdAt: { lt: before } } });
      // Addresses that never confirmed are not kept once their last link has expired.
      await prisma.subscriber.deleteMany({ where: { confirmedAt: null, lastPromptAt: { lt: new Date(Date.now() - UNCONFIRMED_RETENTION_MS) } } });
    },
  };
}
