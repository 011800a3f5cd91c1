import type { Context } from "../../context.ts";
import type { Role } from "../../generated/prisma/enums.ts";
import { recordAccessChange } from "../auth/access-changes.ts";
import { actorOf } from "../auth/viewer.ts";
import { hashApiTokenSecret, newApiTokenSecret } from "./secret.ts";

/** The secret is returned once, here; only its hash is kept. */
export async function createApiToken({ ctx, input }: { ctx: Context; input: { organizationId: string; name: string; role: Role } }) {
  const token = newApiTokenSecret();
  return ctx.services.mutations.run(input.organizationId, actorOf(ctx.viewer), async (m) => {
    const apiToken = await m.tx.apiToken.create({
      data: { organizationId: m.organizationId, name: input.name, role: input.role, tokenHash: hashApiTokenSecret(token) },
    });
    m.audit("api_token.create", apiToken.id);
    return { token, apiToken };
  });
}

/**
 * Revoked tokens stop working at once: every request and every WebSocket operation looks the
 * token up, and open connections made with it are closed (4401) on every instance.
 */
export async function revokeApiToken({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }) {
  return ctx.services.mutations.run(organizationId, actorOf(ctx.viewer), async (m) => {
    await m.tx.apiToken.update({ where: { id, organizationId }, data: { revokedAt: new Date() } });
    await recordAccessChange(m.tx, { kind: "TOKEN_REVOKED", subjectId: id, organizationId });
    m.audit("api_token.revoke", id);
    return id;
  });
}
