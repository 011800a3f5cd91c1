// The service status rules of API.md, as pure functions. No I/O: table-tested in domain.test.ts.
import type { ServiceStatus, StatusSourceKind } from "../../generated/prisma/enums.ts";
import { invalidTransition } from "../../graphql/errors.ts";

/** How bad each outage status is; UNDER_MAINTENANCE is outside this scale on purpose. */
const SEVERITY: Partial<Record<ServiceStatus, number>> = {
  OPERATIONAL: 0,
  DEGRADED_PERFORMANCE: 1,
  PARTIAL_OUTAGE: 2,
  MAJOR_OUTAGE: 3,
};

/**
 * The status an incident with `impact` gives a service now in `from`.
 * Incident-driven changes only make a service strictly worse; a service in MAJOR_OUTAGE or
 * UNDER_MAINTENANCE takes no incident-driven change, and an incident can never put a
 * service under maintenance or declare it operational.
 */
export function worsenByIncident(from: ServiceStatus, impact: ServiceStatus): ServiceStatus {
  const before = SEVERITY[from];
  const after = SEVERITY[impact];
  if (before === undefined) {
    throw invalidTransition(`A service under maintenance cannot be changed by an incident.`);
  }
  if (after === undefined || after === 0) {
    throw invalidTransition(`An incident's impact must be an outage, not ${impact}.`);
  }
  if (after <= before) {
    throw invalidTransition(`An incident can only make a service worse: ${from} to ${impact} is not worse.`);
  }
  return impact;
}

export interface ActiveIncidentOnService {
  incidentId: string;
  toStatus: ServiceStatus;
  createdAt: Date;
}

export interface DerivedStatus {
  status: ServiceStatus;
  source: StatusSourceKind;
  incidentId: string | null;
}

/**
 * A service's status once an incident on it ends (resolved or deleted): the toStatus of the
 * most recent other active incident, else OPERATIONAL. Maintenance is entered and left only
 * by hand or by a window, so a service under maintenance stays there (returns null: no change).
 */
export function statusAfterIncidentEnds(
  current: ServiceStatus,
  otherActiveIncidents: readonly ActiveIncidentOnService[],
): DerivedStatus | null {
  if (current === "UNDER_MAINTENANCE") return null;
  return statusFromIncidents(otherActiveIncidents);
}

/**
 * A service's status when the maintenance window that put it under maintenance ends
 * (completed or cancelled): it stays while another window holds it, else the active
 * incidents decide as on resolution.
 */
export function statusAfterMaintenanceEnds(
  inAnotherActiveWindow: boolean,
  activeIncidents: readonly ActiveIncidentOnService[],
): DerivedStatus | null {
  if (inAnotherActiveWindow) return null;
  return statusFromIncidents(activeIncidents);
}

/** The most recent active incident's toStatus, else OPERATIONAL. */
function statusFromIncidents(activeIncidents: readonly ActiveIncidentOnService[]): DerivedStatus {
  const latest = [...activeIncidents].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.incidentId.localeCompare(a.incidentId),
  )[0];
  if (latest) return { status: latest.toStatus, source: "INCIDENT", incidentId: latest.incidentId };
  return { status: "OPERATIONAL", source: "DEFAULT", incidentId: null };
}

export type StatusIndicator = "NONE" | "MINOR" | "MAJOR" | "CRITICAL" | "MAINTENANCE";

export const INDICATOR_DESCRIPTIONS: Record<StatusIndicator, string> = {
  NONE: "All Systems Operational",
  MINOR: "Partially Degraded Service",
  MAJOR: "Partial System Outage",
  CRITICAL: "Major System Outage",
  MAINTENANCE: "Service Under Maintenance",
};

const INDICATOR_BY_STATUS: Record<ServiceStatus, StatusIndicator> = {
  OPERATIONAL: "NONE",
  DEGRADED_PERFORMANCE: "MINOR",
  PARTIAL_OUTAGE: "MAJOR",
  MAJOR_OUTAGE: "CRITICAL",
  UNDER_MAINTENANCE: "MAINTENANCE",
};

/**
 * Statuspage's page indicator: MAINTENANCE when a service is under maintenance and none is
 * worse than operational; otherwise the worst service decides.
 */
export function pageIndicator(statuses: readonly ServiceStatus[]): StatusIndicator {
  let worst = 0;
  let maintenance = false;
  for (const status of statuses) {
    const severity = SEVERITY[status];
    if (severity === undefined) maintenance = true;
    else worst = Math.max(worst, severity);
  }
  if (worst > 0) return (["NONE", "MINOR", "MAJOR", "CRITICAL"] as const)[worst] ?? "CRITICAL";
  return maintenance ? "MAINTENANCE" : "NONE";
}

export function indicatorOf(status: ServiceStatus): StatusIndicator {
  return INDICATOR_BY_STATUS[status];
}

/**
 * Group names are compared without case: a group typed as "frontend" joins an existing
 * "Frontend" and takes its spelling, so one group is never shown as two headings. `existing`
 * are the groups of the organisation's live services in display order; the first spelling wins.
 */
export function groupSpelling(wanted: string, existing: readonly (string | null)[]): string {
  const folded = wanted.trim().toLowerCase();
  return existing.find((group) => group !== null && group.trim().toLowerCase() === folded) ?? wanted.trim();
}

/** Whether two service names are the same to a reader (case aside): an organisation has each once. */
export function sameServiceName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
