import type { Context } from "../../context.ts";
import { actorOf } from "../auth/viewer.ts";
import { placeService, refuseDuplicateName } from "./verbs.ts";

export interface CreateServiceInput {
  organizationId: string;
  name: string;
  description?: string | null;
  group?: string | null;
  position?: number | null;
}

/** Adds a service (OPERATIONAL); its name must be new in the organisation, its group joins one of the same name. */
export async function createService({ ctx, input }: { ctx: Context; input: CreateServiceInput }) {
  return ctx.services.mutations
    .run(input.organizationId, actorOf(ctx.viewer), async (m) => {
      const { group } = await placeService(m, input);
      // A new service goes last unless told otherwise.
      const position =
        input.position ??
        ((await m.tx.service.aggregate({ where: { organizationId: m.organizationId, deletedAt: null }, _max: { position: true } }))._max.position ?? -1) + 1;
      const service = await m.tx.service.create({
        data: { organizationId: m.organizationId, name: input.name, description: input.description ?? null, group: group ?? null, position },
      });
      m.emit({ kind: "SERVICE_CREATED", serviceId: service.id });
      m.audit("service.create", service.id);
      return service;
    })
    .catch((error: unknown) => refuseDuplicateName(error, input.name));
}
