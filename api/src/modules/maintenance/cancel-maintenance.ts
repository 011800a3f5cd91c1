import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { checkOpen } from "./domain.ts";
import { releaseServicesOf } from "./recalculate.ts";

/** Cancels a window before or during it; services it holds leave maintenance. */
export async function cancelMaintenance({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.lock("Maintenance", [id]);
    const current = await m.tx.maintenance.findFirstOrThrow({ where: { id, organizationId } });
    checkOpen(current.status, "cancel");
    const cancelled = await m.tx.maintenance.update({ where: { id }, data: { status: "CANCELLED" } });
    m.emit({ kind: "MAINTENANCE_CANCELLED", maintenanceId: id });
    if (current.status === "IN_PROGRESS") await releaseServicesOf(m, id);
    m.audit("maintenance.cancel", id);
    return cancelled;
  });
}
