import type { Context } from "../../context.ts";
import { badInput, conflict } from "../../graphql/errors.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import { actorOf } from "../auth/viewer.ts";

/** The actor of the audit entry an organisation gets when another one proves its domain. */
const PROOF_ACTOR = "system:custom-domain-proof";

/**
 * Asks the organisation's pending custom domain for its challenge token (custom-domain.ts) and,
 * when it answers, makes it the domain that serves the page. Proof wins over possession: a
 * domain another organisation serves moves to the prover, but only by the DNS record, since the
 * HTTP challenge is answered by this server for every host pointed at it, that organisation's
 * included. Nothing changes when the proof fails (BAD_USER_INPUT on customDomain, with why).
 */
export async function verifyCustomDomain({ ctx, organizationId }: { ctx: Context; organizationId: string }) {
  const org = await ctx.prisma.organization.findUniqueOrThrow({ where: { id: organizationId } });
  const domain = org.pendingCustomDomain;
  const token = org.customDomainToken;
  if (!domain || !token) throw badInput("There is no claimed domain to verify: save a custom domain first.", "customDomain");
  const reserved = ctx.services.customDomains.reservedReason(domain);
  if (reserved) throw badInput(`${reserved}: choose a host name of your own.`, "customDomain");
  const holder = await ctx.prisma.organization.findUnique({ where: { customDomain: domain }, select: { id: true } });
  const httpAllowed = !holder || holder.id === organizationId;
  const proof = await ctx.services.customDomains.prove(domain, token, { httpAllowed });
  if (!proof.ok) throw badInput(`${domain} did not answer the challenge: ${proof.reasons.join("; ")}.`, "customDomain");
  try {
    return await ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
      await m.lockOrganization();
      const current = await m.tx.organization.findUniqueOrThrow({ where: { id: organizationId } });
      if (current.pendingCustomDomain !== domain || current.customDomainToken !== token) {
        throw conflict("The claimed domain changed while it was being verified: verify again.", "customDomain");
      }
      const previous = await m.tx.organization.findUnique({ where: { customDomain: domain }, select: { id: true } });
      if (previous && previous.id !== organizationId) {
        if (proof.via !== "dns") throw conflict(`Another organisation began serving ${domain} meanwhile: only the DNS record can move it.`, "customDomain");
        await m.tx.organization.update({ where: { id: previous.id }, data: { customDomain: null, customDomainVerifiedAt: null } });
        // The loser's own log says what happened, without naming the winner.
        await m.tx.auditEntry.create({ data: { organizationId: previous.id, actor: PROOF_ACTOR, action: "organization.customDomain.lost", targetId: previous.id } });
      }
      const updated = await m.tx.organization.update({
        where: { id: organizationId },
        data: { customDomain: domain, pendingCustomDomain: null, customDomainToken: null, customDomainVerifiedAt: new Date() },
      });
      m.audit(`organization.customDomain.verified.${proof.via}`, organizationId);
      return updated;
    });
  } catch (error) {
    // Two organisations proving the same host at once: the first commit wins.
    if (isUniqueViolation(error) === "customDomain") throw conflict(`Another organisation verified ${domain} at the same moment: verify again.`, "customDomain");
    throw error;
  }
}
