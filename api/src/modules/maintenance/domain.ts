// Maintenance window rules, as pure functions. The clock-driven transitions (SCHEDULED ->
// IN_PROGRESS -> COMPLETED) belong to the scheduler issue; edits and cancellation live here.
import type { MaintenanceStatus } from "../../generated/prisma/enums.ts";
import { badInput, invalidTransition } from "../../graphql/errors.ts";

/** A window must end after it starts. */
export function checkWindow(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) {
    throw badInput("scheduledEnd must be later than scheduledStart.", "scheduledEnd");
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
