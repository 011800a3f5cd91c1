import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { lockLiveServices } from "./verbs.ts";

/** Soft delete: the row stays so incident history keeps naming the service. */
export async function deleteService({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await lockLiveServices(m, [id]);
    await m.tx.service.update({ where: { id }, data: { deletedAt: new Date() } });
    m.emit({ kind: "SERVICE_DELETED", serviceId: id });
    m.audit("service.delete", id);
    return id;
  });
}
