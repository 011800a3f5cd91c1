import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";

export interface CreateServiceInput {
  organizationId: string;
  name: string;
  description?: string | null;
  group?: string | null;
  position?: number | null;
}

export async function createService({ ctx, input }: { ctx: Context; input: CreateServiceInput }) {
  return ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    // A new service goes last unless told otherwise.
    const position =
      input.position ??
      ((await m.tx.service.aggregate({ where: { organizationId: m.organizationId, deletedAt: null }, _max: { position: true } }))._max.position ?? -1) + 1;
    const service = await m.tx.service.create({
      data: { organizationId: m.organizationId, name: input.name, description: input.description ?? null, group: input.group ?? null, position },
    });
    m.emit({ kind: "SERVICE_CREATED", serviceId: service.id });
    m.audit("service.create", service.id);
    return service;
  });
}
