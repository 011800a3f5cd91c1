import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { lockLiveServices } from "./verbs.ts";

export interface UpdateServiceInput {
  id: string;
  name?: string | null;
  description?: string | null;
  group?: string | null;
  position?: number | null;
}

/** Changes what a service is called and where it is shown; never its status. */
export async function updateService({ ctx, input, organizationId }: { ctx: Context; input: UpdateServiceInput; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    const [service] = await lockLiveServices(m, [input.id]);
    const updated = await m.tx.service.update({
      where: { id: service!.id },
      data: {
        ...(input.name != null ? { name: input.name } : {}),
        // null clears an optional text; absent leaves it
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.group !== undefined ? { group: input.group } : {}),
        ...(input.position != null ? { position: input.position } : {}),
      },
    });
    m.emit({ kind: "SERVICE_UPDATED", serviceId: updated.id });
    m.audit("service.update", updated.id);
    return updated;
  });
}
