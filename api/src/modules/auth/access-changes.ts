// Changes of authority that open WebSocket and SSE connections must learn about on every
// instance: a revoked token, an ended session, a removed member or a changed role. The verb
// that makes the change records it here in its own transaction; every instance's Authority
// (authority.ts) reads the recent rows and closes or re-checks the connections concerned.
import type { AccessChangeKind } from "../../generated/prisma/enums.ts";
import type { Tx } from "../../lib/tx.ts";
import type { Prisma } from "../../lib/db.ts";

export interface AccessChangeDraft {
  kind: AccessChangeKind;
  /** The token id, session id or user id concerned. */
  subjectId: string;
  /** For MEMBERSHIP_CHANGED: the organisation. */
  organizationId?: string | null;
}

/** Records the change in the caller's transaction: it takes effect only if that commits. */
export async function recordAccessChange(tx: Tx | Prisma, change: AccessChangeDraft): Promise<void> {
  await tx.accessChange.create({ data: { kind: change.kind, subjectId: change.subjectId, organizationId: change.organizationId ?? null } });
}
