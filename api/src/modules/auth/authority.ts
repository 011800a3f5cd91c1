// Authority is checked where it is used, also on connections that stay open. Every signed-in
// WebSocket connection and every signed-in SSE subscription is watched here with the viewer it
// was opened by. The verbs that take authority away record an AccessChange in their own
// transaction (access-changes.ts); each instance reads the recent ones twice a second — the
// database is the one thing every instance shares, so this works with Redis down too — and:
//   - a revoked API token, an ended session (logOut) or all sessions of a user ended
//     → the connection closes with 4401 (sign in again);
//   - a membership removed → connections of that user following that organisation's events
//     close with 4403;
//   - a role changed → nothing to close: every operation reads the role afresh (Access).
// Sessions also end at their expiry: 4401 then. Each WebSocket operation re-resolves its
// viewer as well (lib/websocket.ts), so a refused operation does not wait for the poll.
import type { Logger } from "pino";
import type { AccessChange } from "../../generated/prisma/client.ts";
import type { Prisma } from "../../lib/db.ts";
import type { Viewer } from "./viewer.ts";

export const UNAUTHORIZED = 4401;
export const FORBIDDEN = 4403;

/** One watched connection: a WebSocket, or one SSE subscription. */
export interface Watched {
  /** Also tell this connection when `organizationId`'s membership of its user goes away. */
  follow(organizationId: string): void;
  /** Stop watching (the connection closed). */
  release(): void;
}

const NOT_WATCHED: Watched = { follow: () => {}, release: () => {} };

interface Entry {
  viewer: Viewer;
  organizations: Set<string>;
  revoke: (code: number, reason: string) => void;
  expiry: NodeJS.Timeout | null;
}

export interface AuthorityOptions {
  pollIntervalMs?: number;
  /** How far back each poll looks; must exceed the longest transaction (15 s). */
  windowMs?: number;
}

const DAY_MS = 86_400_000;

export class Authority {
  private readonly entries = new Set<Entry>();
  /** Changes already acted on, with when they were seen, so each acts once. */
  private readonly seen = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly windowMs: number;
  private polling: Promise<void> | null = null;
  private lastCleanup = 0;

  constructor(
    private readonly prisma: Prisma,
    private readonly log: Logger,
    options: AuthorityOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.timer = setInterval(() => void this.poll(), options.pollIntervalMs ?? 500);
    this.timer.unref();
  }

  /**
   * Watches a connection opened by `viewer`. `revoke` closes it (4401 or 4403, with a reason);
   * it is called at most once, and the entry is released by then.
   */
  watch(viewer: Viewer, revoke: (code: number, reason: string) => void): Watched {
    // Nothing to take away from the anonymous: one shared answer, nothing held per subscriber.
    if (viewer.kind === "anonymous" || viewer.kind === "system") return NOT_WATCHED;
    const entry: Entry = { viewer, organizations: new Set(), revoke, expiry: null };
    if (viewer.kind === "user") {
      const delay = viewer.expiresAt - Date.now();
      if (delay <= 2 ** 31 - 1) {
        entry.expiry = setTimeout(() => this.revoke(entry, UNAUTHORIZED, "Session expired: sign in again"), Math.max(0, delay));
        entry.expiry.unref();
      }
    }
    this.entries.add(entry);
    return {
      follow: (organizationId) => void entry.organizations.add(organizationId),
      release: () => this.release(entry),
    };
  }

  /** Watched connections on this instance (tests, logs). */
  get size(): number {
    return this.entries.size;
  }

  close(): void {
    clearInterval(this.timer);
    for (const entry of [...this.entries]) this.release(entry);
  }

  /** Reads the recent changes and acts on the new ones. One poll at a time. */
  poll(): Promise<void> {
    this.polling ??= this.readChanges().finally(() => (this.polling = null));
    return this.polling;
  }

  private async readChanges(): Promise<void> {
    if (this.entries.size === 0) return this.cleanup(); // nothing open here that a change could concern
    const now = Date.now();
    try {
      const changes = await this.prisma.accessChange.findMany({ where: { createdAt: { gt: new Date(now - this.windowMs) } }, orderBy: { createdAt: "asc" } });
      for (const change of changes) {
        if (this.seen.has(change.id)) continue;
        this.seen.set(change.id, now);
        await this.apply(change);
      }
      for (const [id, at] of this.seen) if (at < now - 2 * this.windowMs) this.seen.delete(id);
    } catch (error) {
      this.log.warn({ err: error }, "access change poll failed; retrying");
    }
    await this.cleanup();
  }

  private async apply(change: AccessChange): Promise<void> {
    for (const entry of [...this.entries]) {
      const viewer = entry.viewer;
      switch (change.kind) {
        case "TOKEN_REVOKED":
          if (viewer.kind === "token" && viewer.tokenId === change.subjectId) this.revoke(entry, UNAUTHORIZED, "API token revoked");
          break;
        case "SESSION_REVOKED":
          if (viewer.kind === "user" && viewer.sessionId === change.subjectId) this.revoke(entry, UNAUTHORIZED, "Signed out");
          break;
        case "USER_SESSIONS_REVOKED":
          if (viewer.kind === "user" && viewer.userId === change.subjectId) this.revoke(entry, UNAUTHORIZED, "Signed out everywhere");
          break;
        case "MEMBERSHIP_CHANGED": {
          const organizationId = change.organizationId;
          if (viewer.kind !== "user" || viewer.userId !== change.subjectId || !organizationId || !entry.organizations.has(organizationId)) break;
          // The change may have been a role change, or a removal followed by a new invitation:
          // what counts is whether they are a member now.
          const membership = await this.prisma.membership.findUnique({
            where: { organizationId_userId: { organizationId, userId: viewer.userId } },
            select: { role: true },
          });
          if (!membership) this.revoke(entry, FORBIDDEN, "No longer a member of this organization");
          break;
        }
      }
    }
  }

  private revoke(entry: Entry, code: number, reason: string): void {
    if (!this.entries.has(entry)) return;
    this.release(entry);
    try {
      entry.revoke(code, reason);
    } catch (error) {
      this.log.warn({ err: error }, "closing a revoked connection failed");
    }
  }

  private release(entry: Entry): void {
    if (entry.expiry) clearTimeout(entry.expiry);
    this.entries.delete(entry);
  }

  /** Changes older than a day have been acted on everywhere: drop them (any instance may). */
  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 3_600_000) return;
    this.lastCleanup = Date.now();
    await this.prisma.accessChange
      .deleteMany({ where: { createdAt: { lt: new Date(Date.now() - DAY_MS) } } })
      .catch((error: unknown) => this.log.warn({ err: error }, "access change cleanup failed"));
  }
}
