// Every mutation runs here: one transaction that does the change, writes its audit entry and
// appends its events; the event positions are published only after commit. A rejected
// mutation therefore changes nothing and publishes nothing.
import { Mutex } from "async-mutex";
import { v7 as uuidv7 } from "uuid";
import type { Event, Incident, Service } from "../generated/prisma/client.ts";
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

/**
 * The columns a mutation may write with finishWith(), with their SQL types: the changes of the
 * hottest writes (an incident's title and status, a service's status and its reason).
 */
const FINAL_COLUMNS = {
  Incident: { title: "text", status: '"IncidentStatus"', resolvedAt: "timestamp(3)" },
  Service: { status: '"ServiceStatus"', statusSource: '"StatusSourceKind"', statusIncidentId: "text", statusMaintenanceId: "text", statusSince: "timestamp(3)" },
} as const;
type FinalTable = keyof typeof FINAL_COLUMNS;
type RowOf<T extends FinalTable> = { Incident: Incident; Service: Service }[T];
export type FinalChange<T extends FinalTable> = Partial<Pick<RowOf<T>, keyof (typeof FINAL_COLUMNS)[T] & keyof RowOf<T>>>;
interface Final {
  table: FinalTable;
  id: string;
  change: Record<string, unknown>;
  at: Date;
}

export interface MutationScope {
  /** The transaction; refused after finishWith(). */
  readonly tx: Tx;
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
  /**
   * The mutation's last write: this locked row's change goes into the one statement that writes
   * the audit entry and the events, a round trip fewer than an update of its own (docs/adr/0027).
   * Last means last: after it the scope refuses tx and locks (emit and audit still count).
   * `at` is the time of the row's `updatedAt`, the audit entry and the events (a column of the
   * change set from the same Date reads the same). Returns the row as it will be written.
   */
  finishWith<T extends FinalTable>(table: T, row: RowOf<T>, change: FinalChange<T>, at?: Date): RowOf<T>;
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
            let final: Final | null = null;
            const open = () => {
              if (final) throw new Error("finishWith() is a mutation's last write: nothing may read or write after it");
            };
            const scope: MutationScope = {
              get tx() {
                open();
                return tx;
              },
              organizationId,
              emit: (event) => void events.push(event),
              audit: (action, targetId) => void audits.push({ action, targetId }),
              async lock(table, ids) {
                open();
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
                open();
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
                open();
                if (db.kind === "postgres") {
                  await tx.$queryRawUnsafe(`SELECT id FROM "Organization" WHERE id = $1 FOR UPDATE`, organizationId);
                } else {
                  releases.push(await mutexFor(`Organization:${organizationId}`).acquire());
                }
              },
              finishWith(table, row, change, at = new Date()) {
                open();
                final = { table, id: row.id, change, at };
                return { ...row, ...change, updatedAt: final.at };
              },
            };
            const result = await work(scope);
            // A change writes exactly one audit entry; a verb that found nothing to do (the clock
            // finding a window another instance already started) writes neither.
            const noop = audits.length === 0 && events.length === 0 && final === null;
            if (!noop && audits.length !== 1) throw new Error(`a mutation must write exactly one audit entry, wrote ${audits.length}`);
            const appended = noop ? [] : await record(tx, organizationId, { actor, ...audits[0]! }, events, final);
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
 * organisation's log, in one statement, and returns the event rows as stored; with the
 * mutation's final change (finishWith) in the same statement. One statement, not three or four:
 * every statement of a transaction waits for a turn of the event loop (and, on PostgreSQL, a
 * round trip), and under a fan-out (S4) each turn is milliseconds during which the mutation's
 * row locks stay held and the next writer of the same row queues (docs/adr/0024, 0027).
 * Incrementing the organisation's counter row-locks it until commit, so positions commit in order.
 */
async function record(tx: Tx, organizationId: string, audit: { actor: string; action: string; targetId: string | null }, events: EventDraft[], final: Final | null): Promise<Event[]> {
  const at = final?.at ?? new Date();
  const auditValues = [uuidv7(), organizationId, audit.action, audit.actor, audit.targetId, at];
  // $1–$6: the audit entry (and $2 the organisation, $6 the time for every row written)
  const target = final && finalUpdate(final, auditValues.length + 1);
  const targetParams = target?.params ?? [];
  const withTarget = target ? `${target.cte}, ` : "";
  const targetCount = target ? `, (SELECT count(*) FROM target)::int AS "targetRows"` : "";
  const insertAudit = `INSERT INTO "AuditEntry" ("id", "organizationId", "action", "actor", "targetId", "createdAt")
       VALUES ($1, $2, $3, $4, $5, $6::timestamp(3))`;
  if (events.length === 0) {
    if (!target) {
      await tx.auditEntry.create({ data: { id: auditValues[0] as string, organizationId, ...audit, createdAt: at } });
      return [];
    }
    const [row] = await tx.$queryRawUnsafe<{ targetRows: number }[]>(`WITH ${target.cte} ${insertAudit} RETURNING 1${targetCount}`, ...auditValues, ...targetParams);
    checkTarget(row?.targetRows, final);
    return [];
  }
  const n = auditValues.length + targetParams.length; // the events' parameters follow
  const column = <K extends keyof EventDraft>(key: K) => events.map((event) => event[key] ?? null);
  const rows = await tx.$queryRawUnsafe<(RawEvent & { targetRows?: number })[]>(
    `WITH ${withTarget}audit AS (
       ${insertAudit}
     ), seq AS (
       UPDATE "Organization" SET "eventSeq" = "eventSeq" + $${n + 1}::int WHERE id = $2 RETURNING "eventSeq"
     )
     INSERT INTO "Event" ("organizationId", "position", "kind", "occurredAt", "serviceId", "incidentId", "maintenanceId", "serviceStatus")
     SELECT $2, seq."eventSeq" - $${n + 1}::int + e.ord, e.kind::"StatusEventKind", $6::timestamp(3), e.service, e.incident, e.maintenance, e.status::"ServiceStatus"
     FROM seq, unnest($${n + 2}::text[], $${n + 3}::text[], $${n + 4}::text[], $${n + 5}::text[], $${n + 6}::text[]) WITH ORDINALITY AS e(kind, service, incident, maintenance, status, ord)
     RETURNING "organizationId", "position", "kind"::text AS "kind", "occurredAt", "serviceId", "incidentId", "maintenanceId", "serviceStatus"::text AS "serviceStatus"${targetCount}`,
    ...auditValues,
    ...targetParams,
    events.length,
    column("kind"),
    column("serviceId"),
    column("incidentId"),
    column("maintenanceId"),
    column("serviceStatus"),
  );
  if (rows.length !== events.length) throw new Error(`appended ${rows.length} of ${events.length} events (no organisation ${organizationId}?)`);
  if (final) checkTarget(rows[0]?.targetRows, final);
  // RETURNING does not promise the VALUES' order; positions come back as int8 (BigInt) already.
  return rows
    .map(({ targetRows: _, ...row }) => ({ ...row, position: BigInt(row.position) }))
    .sort((a, b) => (a.position < b.position ? -1 : 1));
}

/**
 * The final change as a data-modifying CTE named `target`, its parameters numbered from `first`
 * ($2 is the organisation, $6 the mutation's time: its updatedAt). Table and columns come from
 * FINAL_COLUMNS, never from input; values are parameters, cast to the column's type.
 */
function finalUpdate(final: Final, first: number): { cte: string; params: unknown[] } {
  const types: Record<string, string> = FINAL_COLUMNS[final.table];
  const params: unknown[] = [];
  const sets = Object.entries(final.change).map(([column, value]) => {
    const type = types[column];
    if (!type) throw new Error(`finishWith() cannot write ${final.table}.${column}`);
    params.push(value ?? null);
    // an enum from its name as text, whatever type the driver gives the parameter
    return `"${column}" = $${first + params.length - 1}::${type.startsWith('"') ? `text::${type}` : type}`;
  });
  params.push(final.id);
  const sql = `target AS (UPDATE "${final.table}" SET ${[...sets, `"updatedAt" = $6::timestamp(3)`].join(", ")} WHERE id = $${first + params.length - 1} AND "organizationId" = $2 RETURNING 1)`;
  return { cte: sql, params };
}

/** The final change must have written its (locked, live) row: anything else rolls the mutation back. */
function checkTarget(rows: number | undefined, final: Final): void {
  if (rows !== 1) throw new Error(`finishWith() wrote ${rows ?? 0} rows of ${final.table} ${final.id}`);
}

type RawEvent = Omit<Event, "position"> & { position: bigint | number | string };
