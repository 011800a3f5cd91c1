import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { lockIncident, recalculateAfterIncident } from "./recalculate.ts";

/** Soft delete. Deleting an active incident also ends it: resolvedAt is set and services recalculated. */
export async function deleteIncident({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const incident = await lockIncident(m, id);
    const now = new Date();
    await m.tx.incident.update({ where: { id }, data: { deletedAt: now, ...(incident.resolvedAt ? {} : { resolvedAt: now }) } });
    m.emit({ kind: "INCIDENT_DELETED", incidentId: id });
    if (!incident.resolvedAt) await recalculateAfterIncident(m, id);
    m.audit("incident.delete", id);
    return id;
  });
}
