import type { Context } from "../../context.ts";
import { badInput, notFound } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { checkWindow } from "./domain.ts";

export interface ScheduleMaintenanceInput {
  organizationId: string;
  serviceIds: string[];
  title: string;
  description?: string | null;
  scheduledStart: Date;
  scheduledEnd: Date;
}

/** Plans a window. It starts and ends by the clock (scheduler issue); until then it is SCHEDULED. */
export async function scheduleMaintenance({ ctx, input }: { ctx: Context; input: ScheduleMaintenanceInput }) {
  checkWindow(input.scheduledStart, input.scheduledEnd);
  if (input.scheduledEnd.getTime() <= Date.now()) throw badInput("The end must be in the future.", "scheduledEnd");
  const organizationId = input.organizationId;
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const services = await m.tx.service.count({ where: { id: { in: input.serviceIds }, organizationId, deletedAt: null } });
    if (services !== input.serviceIds.length) throw notFound("Service");
    const maintenance = await m.tx.maintenance.create({
      data: {
        organizationId,
        title: input.title,
        description: input.description ?? null,
        scheduledStart: input.scheduledStart,
        scheduledEnd: input.scheduledEnd,
        services: { create: input.serviceIds.map((serviceId) => ({ organizationId, serviceId })) },
      },
    });
    m.emit({ kind: "MAINTENANCE_SCHEDULED", maintenanceId: maintenance.id });
    m.audit("maintenance.schedule", maintenance.id);
    return maintenance;
  });
}
