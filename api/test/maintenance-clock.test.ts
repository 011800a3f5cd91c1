// The maintenance clock: windows start and complete by the server's own clock within about a
// second, services follow, each transition happens once even with two instances, and what fell
// due while the server was down happens at the next start.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

const SCHEDULE = `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`;
type Org = {
  organization: {
    status: { indicator: string };
    services: { id: string; status: string; statusSource: { kind: string } }[];
    maintenances: { id: string; status: string }[];
    events: { kind: string; maintenance: { id: string } | null }[];
    auditLog: { nodes: { action: string; actor: string; targetId: string | null }[] };
  };
};
const ORG = `query($slug: String!) { organization(slug: $slug) {
  status { indicator } services { id status statusSource { kind } } maintenances(state: ALL) { id status }
  events(first: 500) { kind maintenance { id } } auditLog(first: 200) { nodes { action actor targetId } } } }`;

async function schedule(t: TestApp, tenant: Tenant, serviceIds: string[], startInMs: number, endInMs: number): Promise<string> {
  const input = { organizationId: tenant.orgId, serviceIds, title: "Window", scheduledStart: new Date(Date.now() + startInMs), scheduledEnd: new Date(Date.now() + endInMs) };
  return ok(await t.gql<{ scheduleMaintenance: { id: string } }>(SCHEDULE, { input }, { token: tenant.admin })).scheduleMaintenance.id;
}

/** The window's own events (service status changes also name the window that caused them). */
const windowEvents = (o: Org["organization"], id: string) => o.events.filter((e) => e.maintenance?.id === id && e.kind.startsWith("MAINTENANCE_")).map((e) => e.kind);

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the maintenance clock", () => {
  let t: TestApp;
  let a: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t);
  });
  afterAll(() => t?.stop());
  const org = async () => ok(await t.gql<Org>(ORG, { slug: a.slug }, { token: a.admin })).organization;

  it("starts a window at its start and completes it at its end, within about a second, and the services follow", async () => {
    const service = await createService(t, a);
    const startsAt = Date.now() + 1_500;
    const id = await schedule(t, a, [service], 1_500, 3_500);
    const started = await waitFor(org, (o) => o.maintenances.find((m) => m.id === id)?.status === "IN_PROGRESS");
    const lateBy = Date.now() - startsAt;
    // clock tick (500 ms) + this test's polling (100 ms) + a loaded CI machine's slack: a clock that
    // ticked by the minute, or waited for a request, would be far later.
    expect(lateBy).toBeLessThan(2_500);
    expect(started.services.find((s) => s.id === service)).toMatchObject({ status: "UNDER_MAINTENANCE", statusSource: { kind: "MAINTENANCE" } });
    expect(started.status.indicator).toBe("MAINTENANCE");

    const completed = await waitFor(org, (o) => o.maintenances.find((m) => m.id === id)?.status === "COMPLETED");
    expect(completed.services.find((s) => s.id === service)).toMatchObject({ status: "OPERATIONAL", statusSource: { kind: "DEFAULT" } });
    expect(windowEvents(completed, id)).toEqual(["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"]);
    const audit = completed.auditLog.nodes.filter((n) => n.targetId === id).map((n) => `${n.action} by ${n.actor}`);
    expect(audit).toEqual(expect.arrayContaining(["maintenance.start by system:maintenance-clock", "maintenance.complete by system:maintenance-clock"]));
  });

  it("hands a service back to its active incident when the window ends", async () => {
    const service = await createService(t, a);
    ok(await t.gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [service], title: "Slow", message: "m", impact: "DEGRADED_PERFORMANCE" } }, { token: a.admin }));
    const id = await schedule(t, a, [service], 200, 1_500);
    await waitFor(org, (o) => o.services.find((s) => s.id === service)?.status === "UNDER_MAINTENANCE");
    const after = await waitFor(org, (o) => o.maintenances.find((m) => m.id === id)?.status === "COMPLETED");
    expect(after.services.find((s) => s.id === service)).toMatchObject({ status: "DEGRADED_PERFORMANCE", statusSource: { kind: "INCIDENT" } });
  });

  it("leaves a cancelled window alone", async () => {
    const service = await createService(t, a);
    const id = await schedule(t, a, [service], 800, 2_000);
    ok(await t.gql(`mutation($id: ID!) { cancelMaintenance(id: $id) { id } }`, { id }, { token: a.admin }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const now = await org();
    expect(now.maintenances.find((m) => m.id === id)?.status).toBe("CANCELLED");
    expect(now.services.find((s) => s.id === service)?.status).toBe("OPERATIONAL");
  });
});

describe("after a restart", () => {
  it("performs what fell due while the server was down", { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "statuspage-clock-"));
    const first = await startTestApp({ dataDir });
    const tenant = await createTenant(first);
    const id = await schedule(first, tenant, [tenant.serviceId], 600, 1_200);
    await first.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const second = await startTestApp({ dataDir });
    try {
      const o = await waitFor(
        async () => ok(await second.gql<Org>(ORG, { slug: tenant.slug }, { token: tenant.admin })).organization,
        (value) => value.maintenances.find((m) => m.id === id)?.status === "COMPLETED",
      );
      expect(windowEvents(o, id)).toEqual(["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"]);
      expect(o.services.find((s) => s.id === tenant.serviceId)?.status).toBe("OPERATIONAL");
    } finally {
      await second.stop();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("two instances", () => {
  it("perform each transition exactly once", async () => {
    const a = await startTestApp();
    const b = await startTestApp({ databaseUrl: a.config.databaseUrl });
    try {
      const tenant = await createTenant(a);
      const ids = await Promise.all([0, 1, 2].map(() => schedule(a, tenant, [tenant.serviceId], 300, 1_200)));
      const o = await waitFor(
        async () => ok(await b.gql<Org>(ORG, { slug: tenant.slug }, { token: tenant.admin })).organization,
        (value) => ids.every((id) => value.maintenances.find((m) => m.id === id)?.status === "COMPLETED"),
      );
      for (const id of ids) {
        expect(windowEvents(o, id)).toEqual(["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"]);
        expect(o.auditLog.nodes.filter((n) => n.targetId === id && n.actor === "system:maintenance-clock")).toHaveLength(2);
      }
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
