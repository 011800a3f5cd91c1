// Service.uptime: per calendar day (UTC), the share of the day the service was up, the
// worst status it had and the incidents that affected it, computed from its status history
// (SERVICE_STATUS_CHANGED events) and its incidents. Pure: both are read by the uptimeHistory
// loader (lib/loaders.ts), which a published page primes from its build.
import type { ServiceStatus } from "../../generated/prisma/enums.ts";

export const MAX_UPTIME_DAYS = 90;
const DAY_MS = 86_400_000;

export interface StatusChange {
  at: Date;
  status: ServiceStatus;
}

/** An incident linked to the service, as the days need it: open from createdAt to resolvedAt. */
export interface IncidentSpan {
  id: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface UptimeDay {
  /** YYYY-MM-DD, UTC. */
  date: string;
  operationalRatio: number;
  worstStatus: ServiceStatus;
  /** Incidents open at some point of the day, oldest first. */
  incidentIds: string[];
}

/** Worst first when sorting descending; maintenance is planned, so it ranks below any outage. */
const RANK: Record<ServiceStatus, number> = {
  OPERATIONAL: 0,
  UNDER_MAINTENANCE: 1,
  DEGRADED_PERFORMANCE: 2,
  PARTIAL_OUTAGE: 3,
  MAJOR_OUTAGE: 4,
};

/** Maintenance is announced downtime: like Statuspage, it does not count against uptime. */
const isUp = (status: ServiceStatus) => status === "OPERATIONAL" || status === "UNDER_MAINTENANCE";

/**
 * One entry per UTC day of the last `days` days (today last), from the day the service was
 * created: days before it existed have no data and are left out rather than shown as up.
 * `statusAtStart` is the status in force when the window opens (or at creation);
 * `changes` are the later changes, oldest first.
 */
export function uptimeDays(input: {
  createdAt: Date;
  now: Date;
  days: number;
  statusAtStart: ServiceStatus;
  changes: readonly StatusChange[];
  /** The service's incidents (not deleted), oldest first: each day lists them in this order. */
  incidents?: readonly IncidentSpan[];
}): UptimeDay[] {
  const { createdAt, now, days } = input;
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const firstDay = Math.max(today - (days - 1) * DAY_MS, Math.floor(createdAt.getTime() / DAY_MS) * DAY_MS);
  const result: UptimeDay[] = [];
  let status = input.statusAtStart;
  let next = 0;
  const changes = input.changes;
  // Changes before the first day only set the starting status.
  while (next < changes.length && changes[next]!.at.getTime() < firstDay) status = changes[next++]!.status;

  for (let dayStart = firstDay; dayStart <= today; dayStart += DAY_MS) {
    const from = Math.max(dayStart, createdAt.getTime());
    const to = Math.min(dayStart + DAY_MS, now.getTime());
    let cursor = from;
    let up = 0;
    let worst = status;
    while (next < changes.length && changes[next]!.at.getTime() < dayStart + DAY_MS) {
      const change = changes[next++]!;
      const at = Math.min(Math.max(change.at.getTime(), from), to);
      if (isUp(status)) up += at - cursor;
      cursor = at;
      status = change.status;
      if (RANK[status] > RANK[worst]) worst = status;
    }
    if (isUp(status)) up += Math.max(0, to - cursor);
    const observed = to - from;
    result.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      operationalRatio: observed > 0 ? Math.round((up / observed) * 10_000) / 10_000 : isUp(status) ? 1 : 0,
      worstStatus: worst,
      incidentIds: incidentsOn(input.incidents ?? [], dayStart),
    });
  }
  return result;
}

/**
 * Incidents open at some instant of the day: created before its end, not resolved before it began.
 * Not cut at `now`: a published page's `now` is the start of its minute, and an incident opened
 * since is already in its rows (and on the page as active): today's bar names it too.
 */
function incidentsOn(incidents: readonly IncidentSpan[], dayStart: number): string[] {
  return incidents
    .filter((i) => i.createdAt.getTime() < dayStart + DAY_MS && (i.resolvedAt === null || i.resolvedAt.getTime() >= dayStart))
    .map((i) => i.id);
}
