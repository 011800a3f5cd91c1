// The one place tenancy and roles are decided. Every resolver reaches it through the
// scope-auth scopes in graphql/builder.ts. Another organisation's object is NOT_FOUND (same
// message as a missing one), a MEMBER writing is FORBIDDEN, no viewer is UNAUTHENTICATED.
import type { Role } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import { forbidden, notFound, unauthenticated } from "../../graphql/errors.ts";
import type { Viewer } from "./viewer.ts";

export class Access {
  private readonly roles = new Map<string, Promise<Role | null>>();

  /** `known`: the user's roles read with their session for this request (resolveRequestViewer). */
  constructor(
    readonly viewer: Viewer,
    private readonly prisma: Prisma,
    private readonly known: ReadonlyMap<string, Role> | null = null,
  ) {}

  /** The viewer's role in an organisation, or null when they have none there. */
  roleIn(organizationId: string): Promise<Role | null> {
    let role = this.roles.get(organizationId);
    if (!role) {
      role = this.loadRole(organizationId);
      this.roles.set(organizationId, role);
    }
    return role;
  }

  /**
   * Whether the viewer is known to belong to the organisation without asking the database: an
   * API token's own organisation, or one of the roles read with the user's session. False is
   * "not known", not "not a member".
   */
  knownMemberOf(organizationId: string): boolean {
    const viewer = this.viewer;
    if (viewer.kind === "token") return viewer.organizationId === organizationId;
    return viewer.kind === "user" && (this.known?.has(organizationId) ?? false);
  }

  async requireMember(organizationId: string, what = "Organization"): Promise<Role> {
    if (this.viewer.kind === "anonymous") throw unauthenticated();
    const role = await this.roleIn(organizationId);
    if (!role) throw notFound(what);
    return role;
  }

  async requireAdmin(organizationId: string, what = "Organization"): Promise<void> {
    const role = await this.requireMember(organizationId, what);
    if (role !== "ADMIN") throw forbidden("Only admins of this organization can do this.");
  }

  private async loadRole(organizationId: string): Promise<Role | null> {
    const viewer = this.viewer;
    if (viewer.kind === "system") return "ADMIN";
    if (viewer.kind === "token") return viewer.organizationId === organizationId ? viewer.role : null;
    if (viewer.kind !== "user") return null;
    // Only a hit is trusted: an organisation created or joined by this very request is not in it.
    const known = this.known?.get(organizationId);
    if (known) return known;
    const membership = await this.prisma.membership.findUnique({
      where: { organizationId_userId: { organizationId, userId: viewer.userId } },
      select: { role: true },
    });
    return membership?.role ?? null;
  }
}
