import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { isDue } from "./domain.ts";
import { releaseServicesOf } from "./recalculate.ts";

/**
 * The clock ends a window at its scheduledEnd: IN_PROGRESS → COMPLETED, and the services it
 * held are recalculated. Idempotent across instances like startMaintenance.
 */
export async function completeMaintenance({ ctx, id, organizationId, now = new Date() }: { ctx: Context; id: string; organizationId: string; now?: Date }): Promise<boolean> {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.lock("Maintenance", [id]);
    const window = await m.tx.maintenance.findFirst({ where: { id, organizationId } });
    if (!window || !isDue(window, now) || window.status !== "IN_PROGRESS") return false;
    await m.tx.maintenance.update({ where: { id }, data: { status: "COMPLETED" } });
    m.emit({ kind: "MAINTENANCE_COMPLETED", maintenanceId: id });
    await releaseServicesOf(m, id);
    m.audit("maintenance.complete", id);
    return true;
  });
}
