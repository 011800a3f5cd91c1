// Issue 9, "tests that keep it closed": faults the service must survive without losing or
// inventing anything.
//   1. An instance killed (SIGKILL) in the middle of a burst of mutations and started again on
//      the same store: every answered mutation is in the log, every committed change has exactly
//      one audit entry written in the same transaction as its events, the log has no gap, and each
//      service's status is the one its last SERVICE_STATUS_CHANGED event entered.
//   2. (PostgreSQL only) Every database connection terminated under load: requests meanwhile fail
//      with a masked INTERNAL at worst, never a 500 or a stack trace, and within seconds everything
//      succeeds again and /ready is 200.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createService, createTenant, signUp } from "./fixtures.ts";
import { freshPostgres, ok, startTestApp, type GqlResult, type TestApp } from "./harness.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const JWT_SECRET = "faults-test-secret-faults-test-secret-0123456789";
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// ---------------------------------------------------------------------------------------------
// A real process: `node --import tsx api/src/main.ts`, as `npm start` runs it.

interface Instance {
  url: string;
  child: ChildProcess;
  exited: Promise<string>;
  output(): string;
}

function launch(store: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", "api/src/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      JWT_SECRET,
      DEMO: "0",
      LOG_LEVEL: "silent",
      PUBLIC_RATE_LIMIT: "0",
      AUTH_RATE_LIMIT: "0",
      MAX_CONNECTIONS_PER_IP: "0",
      LOAD_SHED_LAG_MS: "0",
      ...store,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((done) => child.once("exit", (code, signal) => done(signal ?? `exit ${code}`)));
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectStart(new Error(`no start within 30 s:\n${output}`));
    }, 30_000);
    child.stdout.on("data", () => {
      const port = /running at http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolveStart({ url: `http://127.0.0.1:${port}`, child, exited, output: () => output });
    });
    void exited.then((how) => {
      clearTimeout(timer);
      rejectStart(new Error(`exited (${how}) before listening:\n${output}`));
    });
  });
}

/** Starts again on a store a killed process left (retrying only while the store says it is in use). */
async function relaunch(store: Record<string, string>, deadlineMs: number): Promise<{ instance: Instance; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    try {
      return { instance: await launch(store), attempts };
    } catch (error) {
      if (Date.now() > deadlineMs || !/DATA_DIR|in use|lock/i.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function gqlAt<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResult<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GqlResult<T>, "status">;
  return { status: response.status, ...body };
}

/** SQL on the store: a client on PostgreSQL, PGlite itself (the process must have stopped) on the embedded one. */
async function openStore(store: Record<string, string>): Promise<{ rows<T>(sql: string, params: unknown[]): Promise<T[]>; close(): Promise<void> }> {
  if (store.DATABASE_URL) {
    const client = new pg.Client({ connectionString: store.DATABASE_URL });
    await client.connect();
    return { rows: async <T,>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[], close: () => client.end() };
  }
  const db = new PGlite(join(store.DATA_DIR!, "pgdata"));
  return { rows: async <T,>(sql: string, params: unknown[]) => (await db.query<T>(sql, params)).rows, close: () => db.close() };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The fixtures' view of a process started here. */
const remote = (url: string) =>
  ({ url, gql: (query: string, variables?: Record<string, unknown>, options?: { token?: string }) => gqlAt(url, query, variables ?? {}, options?.token) }) as unknown as TestApp;

const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const CREATE_INCIDENT = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`;
const UPDATE_INCIDENT = `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`;
const STATUSES = ["OPERATIONAL", "DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE"];

type Outcome = "answered" | "rejected" | "lost";
interface Sent {
  verb: "service.set_status" | "incident.create" | "incident.update";
  target: string | null; // the service or incident; a created incident's id once answered
  outcome?: Outcome;
}

describe("an instance killed in the middle of a burst of mutations", () => {
  it("loses nothing answered, writes one audit entry per committed change, leaves no gap in the log", async () => {
    const postgres = await freshPostgres();
    let store: Record<string, string>;
    if (postgres) {
      cleanups.push(() => postgres.drop());
      store = { DATABASE_URL: postgres.url };
    } else {
      const dir = mkdtempSync(join(tmpdir(), "statuspage-faults-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      store = { DATA_DIR: dir };
    }

    const first = await launch(store);
    cleanups.push(() => void first.child.kill("SIGKILL"));
    const at = (query: string, variables: Record<string, unknown>, token?: string) => gqlAt<Record<string, { id: string }>>(first.url, query, variables, token);
    const owner = await signUp(remote(first.url));
    const services: string[] = [];
    for (let i = 0; i < 4; i++) services.push(await createService(remote(first.url), { orgId: owner.orgId, admin: owner.token }));

    // The burst: 200 mutations from 8 concurrent clients; the process is killed once 100 are answered.
    const TOTAL = 200;
    const KILL_AFTER = 100;
    const sent: Sent[] = [];
    const incidents: string[] = [];
    let answered = 0;
    let killedAt: number | null = null;
    const kill = () => {
      if (killedAt !== null) return;
      killedAt = Date.now();
      first.child.kill("SIGKILL");
    };
    const next = (i: number): { entry: Sent; query: string; variables: Record<string, unknown> } => {
      const service = services[i % services.length]!;
      const incident = incidents[(i * 7) % Math.max(1, incidents.length)];
      if (i % 5 === 0) {
        return {
          entry: { verb: "incident.create", target: null },
          query: CREATE_INCIDENT,
          variables: { input: { serviceIds: [service], title: `Burst ${i}`, message: `m${i}`, impact: i % 2 ? "MAJOR_OUTAGE" : "PARTIAL_OUTAGE" } },
        };
      }
      if (i % 5 === 1 && incident) {
        const status = i % 15 === 1 ? "RESOLVED" : undefined;
        return { entry: { verb: "incident.update", target: incident }, query: UPDATE_INCIDENT, variables: { input: { id: incident, message: `u${i}`, ...(status ? { status } : {}) } } };
      }
      return { entry: { verb: "service.set_status", target: service }, query: SET_STATUS, variables: { id: service, status: STATUSES[(i * 3 + (i >> 2)) % 4] } };
    };
    let cursor = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (cursor < TOTAL && killedAt === null) {
          const { entry, query, variables } = next(cursor++);
          sent.push(entry);
          try {
            const result = await at(query, variables, owner.token);
            if (result.errors?.length || !result.data) {
              entry.outcome = "rejected"; // INVALID_TRANSITION and the like: must change nothing
              expect(result.errors?.[0]?.extensions?.code).toBe("INVALID_TRANSITION");
            } else {
              entry.outcome = "answered";
              if (entry.verb === "incident.create") incidents.push((entry.target = Object.values(result.data)[0]!.id));
              if (++answered >= KILL_AFTER) kill();
            }
          } catch {
            entry.outcome = "lost"; // sent, then the process died: committed or not, nobody knows
          }
        }
      }),
    );
    const burstMs = (killedAt ?? Date.now()) - started;
    expect(await first.exited).toBe("SIGKILL");

    // Start again on the same store.
    const restartStarted = Date.now();
    const { instance: second, attempts } = await relaunch(store, Date.now() + 30_000);
    cleanups.push(() => void second.child.kill("SIGKILL"));
    const restartMs = Date.now() - restartStarted;
    expect((await fetch(`${second.url}/ready`)).status).toBe(200);
    // The restarted instance works: one more change goes through.
    ok(await gqlAt(second.url, SET_STATUS, { id: services[0], status: "OPERATIONAL" }, owner.token));
    const tail = 1; // that last change
    second.child.kill("SIGTERM");
    expect(await second.exited).toMatch(/exit 0|SIGTERM/);

    const db = await openStore(store);
    try {
      const org = owner.orgId;
      const [{ eventSeq } = { eventSeq: "0" }] = await db.rows<{ eventSeq: string }>(`SELECT "eventSeq"::text AS "eventSeq" FROM "Organization" WHERE id = $1`, [org]);
      const events = await db.rows<{ position: string; kind: string; serviceId: string | null; incidentId: string | null; serviceStatus: string | null; tx: string }>(
        `SELECT position::text AS position, kind::text AS kind, "serviceId", "incidentId", "serviceStatus"::text AS "serviceStatus", xmin::text AS tx
         FROM "Event" WHERE "organizationId" = $1 ORDER BY "Event".position`,
        [org],
      );
      const audits = await db.rows<{ action: string; targetId: string | null; tx: string }>(
        `SELECT action, "targetId", xmin::text AS tx FROM "AuditEntry" WHERE "organizationId" = $1 ORDER BY "createdAt", id`,
        [org],
      );
      const rows = await db.rows<{ id: string; status: string }>(`SELECT id, status::text AS status FROM "Service" WHERE "organizationId" = $1`, [org]);

      // No gap: positions 1..eventSeq, each once.
      expect(events.map((e) => Number(e.position))).toEqual(Array.from({ length: Number(eventSeq) }, (_, i) => i + 1));

      // Each service's status is what its last SERVICE_STATUS_CHANGED entered (OPERATIONAL without one).
      for (const service of rows) {
        const last = events.filter((e) => e.kind === "SERVICE_STATUS_CHANGED" && e.serviceId === service.id).at(-1);
        expect(service.status, `service ${service.id}`).toBe(last?.serviceStatus ?? "OPERATIONAL");
      }

      // Audit entries and events, matched by the transaction that wrote them (xmin): every
      // transaction with events has exactly one audit entry, and it names what the events are about.
      const auditsByTx = groupBy(audits, (a) => a.tx);
      const eventsByTx = groupBy(events, (e) => e.tx);
      for (const [tx, group] of eventsByTx) {
        const entries = auditsByTx.get(tx) ?? [];
        expect(entries, `events ${group.map((e) => `${e.position}:${e.kind}`).join(",")} without exactly one audit entry`).toHaveLength(1);
        const [entry] = entries;
        if (entry!.action.startsWith("incident.")) expect(group.some((e) => e.incidentId === entry!.targetId)).toBe(true);
        if (entry!.action.startsWith("service.")) expect(group.every((e) => e.serviceId === entry!.targetId)).toBe(true);
      }
      for (const [tx, entries] of auditsByTx) {
        expect(entries, `transaction ${tx} has ${entries.length} audit entries`).toHaveLength(1);
        // Only setting a service to the status it already has (or signing up) writes no event.
        if (!eventsByTx.has(tx)) expect(["service.set_status", "organization.create"], tx).toContain(entries[0]!.action);
      }

      // Every answered mutation is in the log; rejected ones left nothing; lost ones at most once.
      const count = (verb: string, target: string | null) => audits.filter((a) => a.action === verb && (target === null || a.targetId === target)).length;
      const byKey = groupBy(sent, (s) => `${s.verb === "incident.update" ? "incident.update" : s.verb} ${s.verb === "incident.create" ? "" : s.target}`);
      for (const [key, group] of byKey) {
        const [verb, target] = key.split(" ") as [string, string];
        const answeredHere = group.filter((s) => s.outcome === "answered").length;
        const lostHere = group.filter((s) => s.outcome === "lost").length;
        const extra = verb === "service.set_status" && target === services[0] ? tail : 0;
        const committed =
          verb === "incident.create"
            ? count(verb, null)
            : verb === "incident.update"
              ? count("incident.update", target) + count("incident.resolve", target)
              : count(verb, target) - extra;
        expect(committed, key).toBeGreaterThanOrEqual(answeredHere);
        expect(committed, key).toBeLessThanOrEqual(answeredHere + lostHere);
      }
      for (const id of incidents) {
        expect(audits.filter((a) => a.action === "incident.create" && a.targetId === id)).toHaveLength(1);
        expect(events.filter((e) => e.kind === "INCIDENT_CREATED" && e.incidentId === id)).toHaveLength(1);
      }

      const BURST_VERBS = ["service.set_status", "incident.create", "incident.update", "incident.resolve"];
      const mutationAudits = audits.filter((a) => BURST_VERBS.includes(a.action)).length - tail;
      const figures = {
        sent: sent.length,
        answered: sent.filter((s) => s.outcome === "answered").length,
        rejected: sent.filter((s) => s.outcome === "rejected").length,
        lost: sent.filter((s) => s.outcome === "lost").length,
        committed: mutationAudits,
        committedButUnanswered: mutationAudits - sent.filter((s) => s.outcome === "answered").length,
        events: events.length,
        burstMs,
        restartMs,
        restartAttempts: attempts,
        store: postgres ? "postgres" : "pglite",
      };
      console.log("SIGKILL figures", JSON.stringify(figures));
      // A lock left by the killed process does not hold the restart up (lib/db.ts).
      expect(figures.restartAttempts).toBe(1);
      expect(figures.committedButUnanswered).toBeGreaterThanOrEqual(0);
      expect(figures.committedButUnanswered).toBeLessThanOrEqual(figures.lost);
    } finally {
      await db.close();
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!process.env.TEST_DATABASE_URL)("database connections dropped under load (PostgreSQL)", () => {
  it("answers with a masked INTERNAL at worst, never a 500, and recovers by itself within seconds", async () => {
    const t = await startTestApp();
    cleanups.push(() => t.stop());
    const tenant = await createTenant(t);
    const database = new URL(t.config.databaseUrl!).pathname.slice(1);
    const killer = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await killer.connect();
    cleanups.push(() => killer.end());

    interface Answer {
      at: number;
      ok: boolean;
      status: number;
      body: string;
    }
    const answers: Answer[] = [];
    let running = true;
    const READ = `query($slug: String!) { organization(slug: $slug) { services { id status } status { indicator } } }`;
    const call = async (i: number) => {
      const response = await fetch(`${t.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tenant.admin}` },
        body: JSON.stringify(
          i % 2 ? { query: READ, variables: { slug: tenant.slug } } : { query: SET_STATUS, variables: { id: tenant.serviceId, status: STATUSES[i % 4] } },
        ),
      });
      const body = await response.text();
      const parsed = JSON.parse(body) as { errors?: unknown[]; data?: unknown };
      answers.push({ at: Date.now(), ok: response.status === 200 && !parsed.errors, status: response.status, body });
    };
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = worker; running; i += 4) await call(i);
      }),
    );

    await new Promise((r) => setTimeout(r, 500));
    let terminated = 0;
    for (let round = 0; round < 3; round++) {
      const { rowCount } = await killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      terminated += rowCount ?? 0;
      await new Promise((r) => setTimeout(r, 300));
    }
    const lastDrop = Date.now();

    // Recovered: from some moment on every request succeeds; find it, and /ready agrees.
    let recoveredAt: number | null = null;
    while (Date.now() - lastDrop < 10_000) {
      await new Promise((r) => setTimeout(r, 200));
      const since = answers.filter((a) => a.at > lastDrop);
      const lastFailure = since.filter((a) => !a.ok).at(-1)?.at ?? lastDrop;
      const afterIt = since.filter((a) => a.at > lastFailure);
      if (afterIt.length >= 20 && (await fetch(`${t.url}/ready`)).status === 200) {
        recoveredAt = lastFailure;
        break;
      }
    }
    running = false;
    await load;

    const failures = answers.filter((a) => !a.ok);
    for (const failure of failures) {
      expect(failure.status, failure.body).toBe(200); // GraphQL errors, not a server error
      expect(failure.body).not.toMatch(/\bat .*\.(ts|js):\d+|stack|Prisma|pg_terminate|terminat/i);
      const codes = (JSON.parse(failure.body) as { errors: { extensions?: { code?: string } }[] }).errors.map((e) => e.extensions?.code);
      expect(codes.every((code) => code === "INTERNAL"), failure.body).toBe(true);
    }
    expect(recoveredAt, `not recovered within 10 s; last answers: ${JSON.stringify(answers.slice(-3))}`).not.toBeNull();
    expect((await fetch(`${t.url}/ready`)).status).toBe(200);
    const firstOkAfter = answers.find((a) => a.ok && a.at > recoveredAt!)?.at ?? recoveredAt!;
    console.log(
      "connection-drop figures",
      JSON.stringify({
        requests: answers.length,
        failed: failures.length,
        failedAfterLastDrop: failures.filter((f) => f.at > lastDrop).length,
        backendsTerminated: terminated,
        recoveredMsAfterLastDrop: Math.max(0, firstOkAfter - lastDrop),
        aFailure: failures[0]?.body,
      }),
    );
  }, 60_000);
});

describe.runIf(!process.env.TEST_DATABASE_URL)("database connections dropped under load", () => {
  it.skip("needs PostgreSQL (set TEST_DATABASE_URL): PGlite runs in-process and has no connections to drop", () => {});
});
