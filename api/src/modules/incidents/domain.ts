// The incident lifecycle of API.md, as pure functions. Table-tested in domain.test.ts.
import type { IncidentStatus } from "../../generated/prisma/enums.ts";
import { invalidTransition } from "../../graphql/errors.ts";

const ORDER: readonly IncidentStatus[] = ["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"];

/**
 * The status an incident moves to when an update asks for `requested` (or keeps, when the
 * update only carries a message). Status moves forward only, skipping is allowed, and a
 * resolved incident is never reopened: a later message on it (a post-mortem note) keeps it
 * RESOLVED.
 */
export function nextIncidentStatus(current: IncidentStatus, requested: IncidentStatus | null | undefined): IncidentStatus {
  if (!requested || requested === current) return current;
  if (current === "RESOLVED") {
    throw invalidTransition("A resolved incident cannot be reopened: create a new incident instead.");
  }
  if (ORDER.indexOf(requested) < ORDER.indexOf(current)) {
    throw invalidTransition(`Incident status moves forward only: ${current} cannot go back to ${requested}.`);
  }
  return requested;
}
