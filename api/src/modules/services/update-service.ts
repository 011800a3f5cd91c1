import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { lockLiveServices, placeService, refuseDuplicateName } from "./verbs.ts";

export interface UpdateServiceInput {
  id: string;
  name?: string | null;
  description?: string | null;
  group?: string | null;
  position?: number | null;
}

/** Changes what a service is called and where it is shown; never its status. Names and groups as in createService. */
export async function updateService({ ctx, input, organizationId }: { ctx: Context; input: UpdateServiceInput; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const [service] = await lockLiveServices(m, [input.id]);
    const { group } = await placeService(m, input, service!.id);
    const updated = await m.tx.service.update({
      where: { id: service!.id },
      data: {
        ...(input.name != null ? { name: input.name } : {}),
        // null clears an optional text; absent leaves it
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(group !== undefined ? { group } : {}),
        ...(input.position != null ? { position: input.position } : {}),
      },
    });
    m.emit({ kind: "SERVICE_UPDATED", serviceId: updated.id });
    m.audit("service.update", updated.id);
    return updated;
  }).catch((error: unknown) => refuseDuplicateName(error, input.name));
}
