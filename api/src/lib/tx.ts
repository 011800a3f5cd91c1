// Every mutation runs here: one transaction that does the change, writes its audit entry and
// appends its events; the event positions are published only after commit. A rejected
// mutation therefore changes nothing and publishes nothing.
import { Mutex } from "async-mutex";
import { v7 as uuidv7 } from "uuid";
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
  /**
   * lock() and a read of the locked rows that are live (not deleted) in one statement: the rows
   * as Prisma returns them, ordered by id. A row deleted (or never there) is simply absent.
   */
  lockLive<T>(table: "Service" | "Incident", ids: readonly string[]): Promise<T[]>;
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
              async lockLive<T>(table: "Service" | "Incident", ids: readonly string[]) {
                const sorted = [...new Set(ids)].sort();
                if (sorted.length === 0) return [];
                if (db.kind === "pglite") for (const id of sorted) releases.push(await mutexFor(`${table}:${id}`).acquire());
                // table comes from the union, never from input; SELECT * has the model's columns,
                // which raw results carry with Prisma's own types (enums as their names, dates as Date).
                return await tx.$queryRawUnsafe<T[]>(
                  `SELECT * FROM "${table}" WHERE "organizationId" = $1 AND id = ANY($2::text[]) AND "deletedAt" IS NULL ORDER BY id${db.kind === "postgres" ? " FOR UPDATE" : ""}`,
                  organizationId,
                  sorted,
                );
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
            const appended = noop ? [] : await record(tx, organizationId, { actor, ...audits[0]! }, events);
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
 * Writes the mutation's audit entry and appends its events at the next positions of the
 * organisation's log, in one statement, and returns the event rows as stored. One statement,
 * not three: every statement of a transaction waits for a turn of the event loop, and under a
 * fan-out (S4) each turn is milliseconds during which the mutation's row locks stay held and
 * the next writer of the same row queues (docs/adr/0024). Incrementing the organisation's
 * counter row-locks it until commit, so positions commit in order.
 */
async function record(tx: Tx, organizationId: string, audit: { actor: string; action: string; targetId: string | null }, events: EventDraft[]): Promise<Event[]> {
  const at = new Date();
  if (events.length === 0) {
    await tx.auditEntry.create({ data: { id: uuidv7(), organizationId, ...audit, createdAt: at } });
    return [];
  }
  const column = <K extends keyof EventDraft>(key: K) => events.map((event) => event[key] ?? null);
  const rows = await tx.$queryRawUnsafe<RawEvent[]>(
    `WITH audit AS (
       INSERT INTO "AuditEntry" ("id", "organizationId", "action", "actor", "targetId", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6::timestamp(3))
     ), seq AS (
       UPDATE "Organization" SET "eventSeq" = "eventSeq" + $7::int WHERE id = $2 RETURNING "eventSeq"
     )
     INSERT INTO "Event" ("organizationId", "position", "kind", "occurredAt", "serviceId", "incidentId", "maintenanceId", "serviceStatus")
     SELECT $2, seq."eventSeq" - $7::int + e.ord, e.kind::"StatusEventKind", $6::timestamp(3), e.service, e.incident, e.maintenance, e.status::"ServiceStatus"
     FROM seq, unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY AS e(kind, service, incident, maintenance, status, ord)
     RETURNING "organizationId", "position", "kind"::text AS "kind", "occurredAt", "serviceId", "incidentId", "maintenanceId", "serviceStatus"::text AS "serviceStatus"`,
    uuidv7(),
    organizationId,
    audit.action,
    audit.actor,
    audit.targetId,
    at,
    events.length,
    column("kind"),
    column("serviceId"),
    column("incidentId"),
    column("maintenanceId"),
    column("serviceStatus"),
  );
  if (rows.length !== events.length) throw new Error(`appended ${rows.length} of ${events.length} events (no organisation ${organizationId}?)`);
  // RETURNING does not promise the VALUES' order; positions come back as int8 (BigInt) already.
  return rows.map((row) => ({ ...row, position: BigInt(row.position) })).sort((a, b) => (a.position < b.position ? -1 : 1));
}

type RawEvent = Omit<Event, "position"> & { position: bigint | number | string };
