import type { Context } from "../../context.ts";
import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import { actorOf } from "../auth/viewer.ts";
import { finishWithServiceStatus, lockLiveServices } from "./verbs.ts";

/** An admin may set any status by hand, including entering or leaving UNDER_MAINTENANCE. */
export async function setServiceStatus({ ctx, input, organizationId }: { ctx: Context; input: { id: string; status: ServiceStatus }; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const [service] = await lockLiveServices(m, [input.id]);
    m.audit("service.set_status", service!.id);
    return finishWithServiceStatus(m, service!, { status: input.status, source: "MANUAL" });
  });
}
