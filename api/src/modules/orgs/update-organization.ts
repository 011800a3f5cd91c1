import type { Context } from "../../context.ts";
import { conflict } from "../../graphql/errors.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import { actorOf } from "../auth/viewer.ts";

export interface UpdateOrganizationInput {
  id: string;
  name?: string | null;
  /** null removes it; absent leaves it. */
  customDomain?: string | null;
}

/** Renames the organisation and sets or clears the custom domain its page is served on. */
export async function updateOrganization({ ctx, input }: { ctx: Context; input: UpdateOrganizationInput }) {
  try {
    return await ctx.services.mutations.run(input.id, actorOf(ctx.viewer), async (m) => {
      await m.lockOrganization();
      const updated = await m.tx.organization.update({
        where: { id: input.id },
        data: {
          ...(input.name != null ? { name: input.name } : {}),
          ...(input.customDomain !== undefined ? { customDomain: input.customDomain } : {}),
        },
      });
      m.audit("organization.update", updated.id);
      return updated;
    });
  } catch (error) {
    if (isUniqueViolation(error) === "customDomain") throw conflict("Another organisation already uses this domain.", "customDomain");
    throw error;
  }
}
