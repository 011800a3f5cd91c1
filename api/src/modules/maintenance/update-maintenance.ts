import type { Context } from "../../context.ts";
import { invalidTransition, notFound } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { checkOpen, checkStartEditable, checkWindow } from "./domain.ts";

export interface UpdateMaintenanceInput {
  id: string;
  title?: string | null;
  description?: string | null;
  scheduledStart?: Date | null;
  scheduledEnd?: Date | null;
  serviceIds?: string[] | null;
}

/** Edits a window that has not ended. Its services can change only before it starts. */
export async function updateMaintenance({ ctx, input, organizationId }: { ctx: Context; input: UpdateMaintenanceInput; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.lock("Maintenance", [input.id]);
    const current = await m.tx.maintenance.findFirstOrThrow({ where: { id: input.id, organizationId } });
    checkOpen(current.status, "edit");
    const start = input.scheduledStart ?? current.scheduledStart;
    const end = input.scheduledEnd ?? current.scheduledEnd;
    checkStartEditable(current.status, start.getTime() !== current.scheduledStart.getTime());
    checkWindow(start, end);
    if (input.serviceIds) {
      if (current.status !== "SCHEDULED") throw invalidTransition("The services of a maintenance in progress cannot change.");
      const count = await m.tx.service.count({ where: { id: { in: input.serviceIds }, organizationId, deletedAt: null } });
      if (count !== input.serviceIds.length) throw notFound("Service");
      await m.tx.maintenanceService.deleteMany({ where: { maintenanceId: current.id } });
      await m.tx.maintenanceService.createMany({ data: input.serviceIds.map((serviceId) => ({ organizationId, maintenanceId: current.id, serviceId })) });
    }
    const updated = await m.tx.maintenance.update({
      where: { id: current.id },
      data: {
        ...(input.title != null ? { title: input.title } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        scheduledStart: start,
        scheduledEnd: end,
      },
    });
    m.emit({ kind: "MAINTENANCE_UPDATED", maintenanceId: updated.id });
    m.audit("maintenance.update", updated.id);
    return updated;
  });
}
