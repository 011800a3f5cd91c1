// Every mutation runs here: one transaction that does the change, writes its audit entry and
// appends its events; the event positions are published only after commit. A rejected
// mutation therefore changes nothing and publishes nothing.
import { Mutex } from "async-mutex";
import type { Event } from "../generated/prisma/client.ts";
import type { ServiceStatus, StatusEventKind } from "../generated/prisma/enums.ts";
import type { Database } from "./db.ts";
import type { EventBus } from "./pubsub.ts";

export type Tx = Parameters<Parameters<Database["prisma"]["$transaction"]>[0]>[0];

export interface EventDraft {
  kind: StatusEventKind;
  serviceId?: string | null;
  incidentId?: string | null;
  maintenanceId?: string | null;
  serviceStatus?: ServiceStatus | null;
}

export interface MutationScope {
  tx: Tx;
  organizationId: string;
  /** Appends an event row in this transaction (published after commit). */
  emit(event: EventDraft): void;
  /** Records who did what; exactly one entry per mutation. */
  audit(action: string, targetId: string | null): void;
  /**
   * Serialises read-check-write on these rows until commit: a row lock on PostgreSQL, a
   * per-row mutex on PGlite (one connection: FOR UPDATE guards nothing there). Lock
   * incidents before services, everywhere, so two mutations never wait on each other.
   */
  lock(table: LockableTable, ids: readonly string[]): Promise<void>;
  /** Serialises changes to the organisation itself (its members) the same way. */
  lockOrganization(): Promise<void>;
}

export type LockableTable = "Service" | "Incident" | "Maintenance";

export interface MutationRunner {
  run<T>(organizationId: string, actor: string, work: (scope: MutationScope) => Promise<T>): Promise<T>;
}

/** `onCommit`: told of every committed change, with or without events (a rename writes none). */
export function createMutationRunner(db: Database, bus: EventBus, onCommit: (organizationId: string) => void = () => {}): MutationRunner {
  // Entries are never removed: one small object per row ever changed by this process.
  const rowMutexes = new Map<string, Mutex>();
  const mutexFor = (key: string) => {
    let mutex = rowMutexes.get(key);
    if (!mutex) rowMutexes.set(key, (mutex = new Mutex()));
    return mutex;
  };

  return {
    async run(organizationId, actor, work) {
      const releases: (() => void)[] = [];
      try {
        const { result, appended } = await db.prisma.$transaction(
          async (tx) => {
            const events: EventDraft[] = [];
            const audits: { action: string; targetId: string | null }[] = [];
            const scope: MutationScope = {
              tx,
              organizationId,
              emit: (event) => void events.push(event),
              audit: (action, targetId) => void audits.push({ action, targetId }),
              async lock(table, ids) {
                const sorted = [...new Set(ids)].sort(); // one order everywhere: no deadlocks
                if (sorted.length === 0) return;
                if (db.kind === "postgres") {
                  // table comes from the LockableTable union, never from input
                  await tx.$queryRawUnsafe(
                    `SELECT id FROM "${table}" WHERE "organizationId" = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
                    organizationId,
                    sorted,
                  );
                } else {
                  for (const id of sorted) releases.push(await mutexFor(`${table}:${id}`).acquire());
                }
              },
              async lockOrganization() {
                if (db.kind === "postgres") {
                  await tx.$queryRawUnsafe(`SELECT id FROM "Organization" WHERE id = $1 FOR UPDATE`, organizationId);
                } else {
                  releases.push(await mutexFor(`Organization:${organizationId}`).acquire());
                }
              },
            };
            const result = await work(scope);
            // A change writes exactly one audit entry; a verb that found nothing to do (the clock
            // finding a window another instance already started) writes neither.
            const noop = audits.length === 0 && events.length === 0;
            if (!noop && audits.length !== 1) throw new Error(`a mutation must write exactly one audit entry, wrote ${audits.length}`);
            if (audits.length > 0) await tx.auditEntry.createMany({ data: audits.map((a) => ({ organizationId, actor, ...a })) });
            const appended = await appendEvents(tx, organizationId, events);
            return { result, appended };
          },
          { maxWait: 10_000, timeout: 15_000 },
        );
        onCommit(organizationId);
        // The rows go with the announcement: hubs deliver them without reading them back.
        if (appended.length > 0) bus.publish(organizationId, appended[appended.length - 1]!.position, appended);
        return result;
      } finally {
        for (const release of releases) release();
      }
    },
  };
}

/**
 * Appends events at the next positions of the organisation's log and returns the rows as
 * stored (occurredAt is the database's). Incrementing the organisation's counter row-locks it
 * until commit, so positions commit in order.
 */
async function appendEvents(tx: Tx, organizationId: string, events: EventDraft[]): Promise<Event[]> {
  if (events.length === 0) return [];
  const { eventSeq } = await tx.organization.update({
    where: { id: organizationId },
    data: { eventSeq: { increment: events.length } },
    select: { eventSeq: true },
  });
  const first = eventSeq - BigInt(events.length) + 1n;
  const rows = await tx.event.createManyAndReturn({
    data: events.map((event, index) => ({ organizationId, position: first + BigInt(index), ...event })),
  });
  // RETURNING does not promise the VALUES' order.
  return rows.sort((a, b) => (a.position < b.position ? -1 : 1));
}
