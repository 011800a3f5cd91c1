import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { changeServiceStatus, lockLiveServices } from "../services/verbs.ts";
import { isDue } from "./domain.ts";

/**
 * The clock starts a due window: SCHEDULED → IN_PROGRESS, its services UNDER_MAINTENANCE.
 * Several instances may try at once; the row lock lets the first do it and the others find it
 * started and do nothing (no event, no audit entry). Returns whether this call started it.
 */
export async function startMaintenance({ ctx, id, organizationId, now = new Date() }: { ctx: Context; id: string; organizationId: string; now?: Date }): Promise<boolean> {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.lock("Maintenance", [id]);
    const window = await m.tx.maintenance.findFirst({ where: { id, organizationId }, include: { services: { select: { serviceId: true } } } });
    if (!window || !isDue(window, now) || window.status !== "SCHEDULED") return false;
    await m.tx.maintenance.update({ where: { id }, data: { status: "IN_PROGRESS" } });
    m.emit({ kind: "MAINTENANCE_STARTED", maintenanceId: id });
    const live = await m.tx.service.findMany({ where: { organizationId, deletedAt: null, id: { in: window.services.map((s) => s.serviceId) } }, select: { id: true } });
    for (const service of await lockLiveServices(m, live.map((s) => s.id))) {
      await changeServiceStatus(m, service, { status: "UNDER_MAINTENANCE", source: "MAINTENANCE", maintenanceId: id });
    }
    m.audit("maintenance.start", id);
    return true;
  });
}
