import type { Context } from "../../context.ts";
import { badInput } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { newChallengeToken } from "./custom-domain.ts";

export interface UpdateOrganizationInput {
  id: string;
  name?: string | null;
  /** null removes it (verified and pending alike); absent leaves it. */
  customDomain?: string | null;
}

/**
 * Renames the organisation, and claims or removes a custom domain. A claim serves nothing: it
 * becomes pendingCustomDomain with a fresh challenge token until verifyCustomDomain proves it
 * (custom-domain.ts). Claiming the pending host again keeps its token (the admin may already have
 * published it); claiming the verified host again drops the pending claim; several organisations
 * may claim the same host, and one already served by another organisation.
 */
export async function updateOrganization({ ctx, input }: { ctx: Context; input: UpdateOrganizationInput }) {
  const domain = input.customDomain;
  const reserved = domain ? ctx.services.customDomains.reservedReason(domain) : null;
  if (reserved) throw badInput(`${reserved}: choose a host name of your own.`, "customDomain");
  return ctx.services.mutations.run(input.id, actorOf(ctx.viewer), async (m) => {
    await m.lockOrganization();
    const current = await m.tx.organization.findUniqueOrThrow({ where: { id: input.id } });
    const domainChange =
      domain === undefined
        ? {}
        : domain === null
          ? { customDomain: null, customDomainVerifiedAt: null, pendingCustomDomain: null, customDomainToken: null }
          : domain === current.customDomain
            ? { pendingCustomDomain: null, customDomainToken: null }
            : domain === current.pendingCustomDomain && current.customDomainToken
              ? {}
              : { pendingCustomDomain: domain, customDomainToken: newChallengeToken() };
    const updated = await m.tx.organization.update({
      where: { id: input.id },
      data: { ...(input.name != null ? { name: input.name } : {}), ...domainChange },
    });
    m.audit("organization.update", updated.id);
    return updated;
  });
}
