// Words and colours for statuses, shared by the public page and the dashboard.
import { formatInZone, viewerTimeZone } from "./time.ts";

export const SERVICE_STATUS_LABEL: Record<string, string> = {
  OPERATIONAL: "Operational",
  DEGRADED_PERFORMANCE: "Degraded performance",
  PARTIAL_OUTAGE: "Partial outage",
  MAJOR_OUTAGE: "Major outage",
  UNDER_MAINTENANCE: "Under maintenance",
};

export const INCIDENT_STATUS_LABEL: Record<string, string> = {
  INVESTIGATING: "Investigating",
  IDENTIFIED: "Identified",
  MONITORING: "Monitoring",
  RESOLVED: "Resolved",
};

export const INCIDENT_STATUSES = ["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"] as const;
export const SERVICE_STATUSES = ["OPERATIONAL", "DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "UNDER_MAINTENANCE"] as const;
export const OUTAGE_STATUSES = ["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE"] as const;

/** The statuses an incident may move to: forward only (API.md), skipping allowed. */
export function nextIncidentStatuses(current: string): string[] {
  const index = INCIDENT_STATUSES.indexOf(current as (typeof INCIDENT_STATUSES)[number]);
  return index < 0 ? [] : INCIDENT_STATUSES.slice(index + 1);
}

/** The impacts an incident may give a service now in `status`: strictly worse outages only. */
export function allowedImpacts(status: string): string[] {
  const index = OUTAGE_STATUSES.indexOf(status as (typeof OUTAGE_STATUSES)[number]);
  if (status === "OPERATIONAL") return [...OUTAGE_STATUSES];
  if (index < 0) return []; // under maintenance
  return OUTAGE_STATUSES.slice(index + 1);
}

/** CSS tone of a service status or page indicator. */
export function tone(status: string): "ok" | "minor" | "major" | "critical" | "maintenance" {
  switch (status) {
    case "OPERATIONAL":
    case "NONE":
      return "ok";
    case "DEGRADED_PERFORMANCE":
    case "MINOR":
      return "minor";
    case "PARTIAL_OUTAGE":
    case "MAJOR":
      return "major";
    case "MAJOR_OUTAGE":
    case "CRITICAL":
      return "critical";
    default:
      return "maintenance";
  }
}

/** A time as plain text, in the viewer's zone with the zone named; prefer <Time> (components/Time.tsx), which adds UTC. */
export function formatTime(iso: string): string {
  return formatInZone(iso, viewerTimeZone());
}
