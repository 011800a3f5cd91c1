import type { Context } from "../../context.ts";
import type { IncidentStatus } from "../../generated/prisma/enums.ts";
import { badInput } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { nextIncidentStatus } from "./domain.ts";
import { lockIncident, recalculateAfterIncident } from "./recalculate.ts";

export interface UpdateIncidentInput {
  id: string;
  status?: IncidentStatus | null;
  message?: string | null;
  title?: string | null;
}

const STATUS_WORDS: Record<IncidentStatus, string> = {
  INVESTIGATING: "We are investigating this issue.",
  IDENTIFIED: "The cause has been identified.",
  MONITORING: "A fix has been applied and we are monitoring the results.",
  RESOLVED: "This incident has been resolved.",
};

/**
 * Moves an incident forward and/or posts to its timeline. Every status or message change
 * appends one IncidentUpdate; resolving recalculates the affected services.
 */
export async function updateIncident({ ctx, input, organizationId }: { ctx: Context; input: UpdateIncidentInput; organizationId: string }) {
  if (input.status == null && input.message == null && input.title == null) {
    throw badInput("Write an update, or choose a new status or title.", "message");
  }
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const incident = await lockIncident(m, input.id);
    const status = nextIncidentStatus(incident.status, input.status);
    const resolving = status === "RESOLVED" && incident.status !== "RESOLVED";
    if (status !== incident.status || input.message != null) {
      await m.tx.incidentUpdate.create({
        data: { organizationId, incidentId: incident.id, status, message: input.message ?? STATUS_WORDS[status] },
      });
    }
    const change = { status, ...(input.title != null ? { title: input.title } : {}) };
    m.emit({ kind: resolving ? "INCIDENT_RESOLVED" : "INCIDENT_UPDATED", incidentId: incident.id });
    m.audit(resolving ? "incident.resolve" : "incident.update", incident.id);
    if (!resolving) return m.finishWith("Incident", incident, change); // with the audit entry and event
    // Resolving: the services' recalculation reads the incidents still active after this one.
    const updated = await m.tx.incident.update({ where: { id: incident.id }, data: { ...change, resolvedAt: new Date() } });
    await recalculateAfterIncident(m, incident.id);
    return updated;
  });
}
