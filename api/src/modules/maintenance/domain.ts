// Maintenance window rules, as pure functions: when a window is due for its next clock
// transition (SCHEDULED -> IN_PROGRESS -> COMPLETED), and what edits and cancellation allow.
import type { MaintenanceStatus } from "../../generated/prisma/enums.ts";
import { badInput, invalidTransition } from "../../graphql/errors.ts";

/** A window must end after it starts. */
export function checkWindow(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) {
    throw badInput("The end must be later than the start.", "scheduledEnd");
  }
}

/** Only a window that has not ended can be edited or cancelled. */
export function checkOpen(status: MaintenanceStatus, action: "edit" | "cancel"): void {
  if (status === "COMPLETED" || status === "CANCELLED") {
    throw invalidTransition(`A ${status.toLowerCase()} maintenance cannot be ${action === "edit" ? "edited" : "cancelled"}.`);
  }
}

/** An in-progress window has begun: its start is history and cannot be moved. */
export function checkStartEditable(status: MaintenanceStatus, startChanged: boolean): void {
  if (status === "IN_PROGRESS" && startChanged) {
    throw invalidTransition("A maintenance in progress has started: its start can no longer be moved.");
  }
}

/**
 * Whether the clock should move this window now: a scheduled one once its start has come (or
 * its end, when the server was down through the whole window), one in progress once its end has.
 */
export function isDue(window: { status: MaintenanceStatus; scheduledStart: Date; scheduledEnd: Date }, now: Date): boolean {
  if (window.status === "SCHEDULED") return window.scheduledStart.getTime() <= now.getTime();
  if (window.status === "IN_PROGRESS") return window.scheduledEnd.getTime() <= now.getTime();
  return false;
}
