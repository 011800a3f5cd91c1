// The order of the maintenance list: what is happening now, then what comes next (soonest
// first), then what is over (most recent first). Cancelled windows count as over.
export type MaintenancePhase = "inProgress" | "upcoming" | "past";

interface Window {
  status: string;
  scheduledStart: string;
  scheduledEnd: string;
}

export function phaseOf(window: Window): MaintenancePhase {
  if (window.status === "IN_PROGRESS") return "inProgress";
  if (window.status === "SCHEDULED") return "upcoming";
  return "past";
}

const at = (iso: string) => new Date(iso).getTime();

/** The windows by phase, each in the order people read it. */
export function orderMaintenances<W extends Window>(windows: readonly W[]): Record<MaintenancePhase, W[]> {
  const phases: Record<MaintenancePhase, W[]> = { inProgress: [], upcoming: [], past: [] };
  for (const window of windows) phases[phaseOf(window)].push(window);
  phases.inProgress.sort((a, b) => at(a.scheduledEnd) - at(b.scheduledEnd)); // ending soonest first
  phases.upcoming.sort((a, b) => at(a.scheduledStart) - at(b.scheduledStart));
  phases.past.sort((a, b) => at(b.scheduledEnd) - at(a.scheduledEnd));
  return phases;
}
