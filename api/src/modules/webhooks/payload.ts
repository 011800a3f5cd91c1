// Turns an event row of the log into the notification every destination is sent: the objects
// as they are at the time of the attempt (like StatusEvent), deleted ones by their id only.
import type { Event } from "../../generated/prisma/client.ts";
import type { Prisma } from "../../lib/db.ts";
import { createLoaders } from "../../lib/loaders.ts";
import { encodeCursor } from "../events/cursor.ts";
import { visibleIncident, visibleMaintenance, visibleService } from "../events/visibility.ts";
import type { Gone, IncidentPayload, MaintenancePayload, NotificationPayload, ServicePayload } from "./messages.ts";

export const statusPageUrl = (publicUrl: string, slug: string) => `${publicUrl}/status/${encodeURIComponent(slug)}`;
export const incidentUrl = (publicUrl: string, slug: string, id: string) => `${statusPageUrl(publicUrl, slug)}/incidents/${encodeURIComponent(id)}`;

const gone = (id: string): Gone => ({ id, deleted: true });

export async function notificationOf(prisma: Prisma, event: Event, publicUrl: string): Promise<NotificationPayload> {
  const loaders = createLoaders(prisma);
  const organization = await loaders.organization.load(event.organizationId);
  if (!organization) throw new Error(`organisation ${event.organizationId} of an event is gone`);
  const slug = organization.slug;
  const payload: NotificationPayload = {
    cursor: encodeCursor(event.position),
    kind: event.kind,
    occurredAt: event.occurredAt.toISOString(),
    organization: { slug, name: organization.name, url: statusPageUrl(publicUrl, slug) },
  };
  if (event.serviceStatus) payload.serviceStatus = event.serviceStatus;

  if (event.serviceId) {
    const service = visibleService(await loaders.service.load(event.serviceId), "member");
    payload.service = service ? ({ id: service.id, name: service.name, status: service.status, group: service.group } satisfies ServicePayload) : gone(event.serviceId);
  }
  if (event.incidentId) {
    const incident = visibleIncident(await loaders.incident.load(event.incidentId), "member");
    if (!incident) payload.incident = gone(event.incidentId);
    else {
      const [affected, updates] = await Promise.all([loaders.incidentServices.load(incident.id), loaders.incidentUpdates.load(incident.id)]);
      const latest = updates.at(-1);
      payload.incident = {
        id: incident.id,
        title: incident.title,
        status: incident.status,
        createdAt: incident.createdAt.toISOString(),
        updatedAt: incident.updatedAt.toISOString(),
        resolvedAt: incident.resolvedAt?.toISOString() ?? null,
        url: incidentUrl(publicUrl, slug, incident.id),
        affectedServices: affected.filter((a) => !a.service.deletedAt).map((a) => ({ id: a.service.id, name: a.service.name, status: a.service.status })),
        latestUpdate: latest ? { status: latest.status, message: latest.message, createdAt: latest.createdAt.toISOString() } : null,
      } satisfies IncidentPayload;
    }
  }
  if (event.maintenanceId) {
    const maintenance = visibleMaintenance(await loaders.maintenance.load(event.maintenanceId), "member");
    if (!maintenance) payload.maintenance = gone(event.maintenanceId);
    else {
      const services = await loaders.maintenanceServices.load(maintenance.id);
      payload.maintenance = {
        id: maintenance.id,
        title: maintenance.title,
        description: maintenance.description,
        status: maintenance.status,
        scheduledStart: maintenance.scheduledStart.toISOString(),
        scheduledEnd: maintenance.scheduledEnd.toISOString(),
        url: statusPageUrl(publicUrl, slug),
        services: services.map((s) => ({ id: s.id, name: s.name })),
      } satisfies MaintenancePayload;
    }
  }
  return payload;
}

/** sendTestWebhook's notification: no event, cursor 0 (before the first event of any log). */
export async function testNotificationOf(prisma: Prisma, organizationId: string, publicUrl: string): Promise<NotificationPayload> {
  const organization = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { slug: true, name: true } });
  return {
    cursor: encodeCursor(0n),
    kind: "TEST",
    occurredAt: new Date().toISOString(),
    organization: { slug: organization.slug, name: organization.name, url: statusPageUrl(publicUrl, organization.slug) },
  };
}
