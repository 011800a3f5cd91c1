// Statuspage's public v2 JSON (summary, status, components, incidents, unresolved incidents,
// scheduled maintenances) from our page, so clients written for Atlassian Statuspage work as
// they are. Our service groups become Statuspage's group components.
import { createHash } from "node:crypto";
import type { IncidentStatus, MaintenanceStatus, ServiceStatus } from "../../generated/prisma/enums.ts";
import { indicatorOf, pageIndicator } from "../services/domain.ts";
import type { IncidentWithTimeline, MaintenanceWithServices, PublicPage } from "../public/published-pages.ts";

const lower = (value: string) => value.toLowerCase();
const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** A stable id for a group component: groups have no row of their own. */
function groupId(organizationId: string, group: string): string {
  return `group-${createHash("sha1").update(`${organizationId}\n${group}`).digest("hex").slice(0, 12)}`;
}

function pageOf(page: PublicPage, pageUrl: string) {
  return { id: page.organization.id, name: page.organization.name, url: pageUrl, time_zone: "Etc/UTC", updated_at: page.status.updatedAt.toISOString() };
}

function statusOf(page: PublicPage) {
  return { indicator: lower(page.status.indicator), description: page.status.description };
}

function componentsOf(page: PublicPage) {
  const pageId = page.organization.id;
  const components: Record<string, unknown>[] = [];
  const groups = new Map<string, PublicPage["services"]>();
  for (const service of page.services) {
    if (service.group) groups.set(service.group, [...(groups.get(service.group) ?? []), service]);
    components.push({
      id: service.id,
      name: service.name,
      status: lower(service.status),
      created_at: iso(service.createdAt),
      updated_at: iso(service.updatedAt),
      position: service.position,
      description: service.description,
      showcase: true,
      start_date: null,
      group_id: service.group ? groupId(pageId, service.group) : null,
      page_id: pageId,
      group: false,
      only_show_if_degraded: false,
    });
  }
  let position = 0;
  for (const [name, members] of groups) {
    const worst = pageIndicator(members.map((s) => s.status));
    const status: ServiceStatus = members.find((s) => indicatorOf(s.status) === worst)?.status ?? "OPERATIONAL";
    components.push({
      id: groupId(pageId, name),
      name,
      status: lower(status),
      created_at: iso(members.reduce((a, b) => (a.createdAt < b.createdAt ? a : b)).createdAt),
      updated_at: iso(members.reduce((a, b) => (a.updatedAt > b.updatedAt ? a : b)).updatedAt),
      position: position++,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: true,
      only_show_if_degraded: false,
      components: members.map((s) => s.id),
    });
  }
  return components;
}

const IMPACT: Record<string, string> = { DEGRADED_PERFORMANCE: "minor", PARTIAL_OUTAGE: "major", MAJOR_OUTAGE: "critical" };

function impactOf(incident: IncidentWithTimeline): string {
  const statuses = incident.services.map((s) => s.toStatus);
  const worst = statuses.includes("MAJOR_OUTAGE") ? "MAJOR_OUTAGE" : statuses.includes("PARTIAL_OUTAGE") ? "PARTIAL_OUTAGE" : statuses[0];
  return (worst && IMPACT[worst]) ?? "none";
}

function affectedComponent(link: IncidentWithTimeline["services"][number]) {
  return { code: link.serviceId, name: link.service.name, old_status: lower(link.fromStatus), new_status: lower(link.toStatus) };
}

function componentRef(service: PublicPage["services"][number]) {
  return { id: service.id, name: service.name, status: lower(service.status), position: service.position, group_id: null, page_id: service.organizationId };
}

function incidentOf(incident: IncidentWithTimeline, pageUrl: string) {
  const monitoring = incident.updates.find((u) => u.status === "MONITORING");
  return {
    id: incident.id,
    name: incident.title,
    status: lower(incident.status satisfies IncidentStatus),
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: iso(monitoring?.createdAt),
    resolved_at: iso(incident.resolvedAt),
    impact: impactOf(incident),
    shortlink: `${pageUrl}/incidents/${incident.id}`, // its own page (the status page on a page host is its root)
    started_at: iso(incident.createdAt),
    page_id: incident.organizationId,
    incident_updates: [...incident.updates].reverse().map((update) => ({
      id: update.id,
      status: lower(update.status),
      body: update.message,
      incident_id: incident.id,
      created_at: iso(update.createdAt),
      updated_at: iso(update.createdAt),
      display_at: iso(update.createdAt),
      affected_components: incident.services.map(affectedComponent),
    })),
    components: incident.services.map((link) => componentRef(link.service)),
  };
}

const MAINTENANCE_STATUS: Record<MaintenanceStatus, string> = { SCHEDULED: "scheduled", IN_PROGRESS: "in_progress", COMPLETED: "completed", CANCELLED: "completed" };

function maintenanceOf(m: MaintenanceWithServices, pageUrl: string) {
  return {
    id: m.id,
    name: m.title,
    status: MAINTENANCE_STATUS[m.status],
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    monitoring_at: null,
    resolved_at: m.status === "COMPLETED" ? iso(m.scheduledEnd) : null,
    impact: "maintenance",
    shortlink: `${pageUrl}#maintenance-${m.id}`,
    started_at: m.status === "SCHEDULED" ? null : iso(m.scheduledStart),
    page_id: m.organizationId,
    incident_updates: m.description
      ? [{ id: `${m.id}-description`, status: MAINTENANCE_STATUS[m.status], body: m.description, incident_id: m.id, created_at: iso(m.createdAt), updated_at: iso(m.updatedAt), display_at: iso(m.createdAt), affected_components: [] }]
      : [],
    components: m.services.map((s) => componentRef(s.service)),
    scheduled_for: iso(m.scheduledStart),
    scheduled_until: iso(m.scheduledEnd),
  };
}

export type StatuspageFile = "summary" | "status" | "components" | "incidents" | "incidents/unresolved" | "scheduled-maintenances";
export const STATUSPAGE_FILES: readonly StatuspageFile[] = ["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances"];

export function statuspageJson(file: StatuspageFile, page: PublicPage, pageUrl: string): Record<string, unknown> {
  const head = { page: pageOf(page, pageUrl) };
  const unresolved = () => page.incidents.filter((i) => !i.resolvedAt).map((i) => incidentOf(i, pageUrl));
  const openMaintenances = () => page.maintenances.filter((m) => m.status === "SCHEDULED" || m.status === "IN_PROGRESS").reverse().map((m) => maintenanceOf(m, pageUrl));
  switch (file) {
    case "summary":
      return { ...head, status: statusOf(page), components: componentsOf(page), incidents: unresolved(), scheduled_maintenances: openMaintenances() };
    case "status":
      return { ...head, status: statusOf(page) };
    case "components":
      return { ...head, components: componentsOf(page) };
    case "incidents":
      return { ...head, incidents: page.incidents.map((i) => incidentOf(i, pageUrl)) };
    case "incidents/unresolved":
      return { ...head, incidents: unresolved() };
    case "scheduled-maintenances":
      return { ...head, scheduled_maintenances: page.maintenances.map((m) => maintenanceOf(m, pageUrl)) };
  }
}
