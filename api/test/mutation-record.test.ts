// A mutation's audit entry and events are written in one statement (lib/tx.ts, docs/adr/0024),
// and the events it announces are handed to live subscribers without being read back. So what
// is announced must be exactly what the log holds: same positions, kinds, references and times.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event } from "../src/generated/prisma/client.ts";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

describe("what a mutation records", () => {
  let t: TestApp;
  let a: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("announces the events as the log stores them, at consecutive positions, with one audit entry", async () => {
    const announced: Event[] = [];
    const unsubscribe = await t.app.services.bus.subscribe(a.orgId, (_position, events) => void announced.push(...(events ?? [])));
    const { eventSeq: before } = await t.app.services.db.prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } });
    const { createIncident } = ok(
      await t.gql<{ createIncident: { id: string } }>(
        `mutation($s: ID!) { createIncident(input: { title: "Checkout fails", serviceIds: [$s], message: "Looking", impact: MAJOR_OUTAGE }) { id } }`,
        { s: a.serviceId },
        { token: a.admin },
      ),
    );
    await expect.poll(() => announced.length).toBeGreaterThanOrEqual(2);
    unsubscribe();

    const stored = await t.app.services.db.prisma.event.findMany({ where: { organizationId: a.orgId, position: { gt: before } }, orderBy: { position: "asc" } });
    expect(announced).toEqual(stored);
    expect(stored.map((event) => event.position)).toEqual(stored.map((_, index) => before + 1n + BigInt(index)));
    expect(stored.map((event) => event.kind).sort()).toEqual(["INCIDENT_CREATED", "SERVICE_STATUS_CHANGED"]);
    const change = stored.find((event) => event.kind === "SERVICE_STATUS_CHANGED")!;
    expect(change).toMatchObject({ serviceId: a.serviceId, serviceStatus: "MAJOR_OUTAGE", incidentId: createIncident.id });
    expect(change.occurredAt).toBeInstanceOf(Date);
    expect(Math.abs(change.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);

    const audits = await t.app.services.db.prisma.auditEntry.findMany({ where: { organizationId: a.orgId, targetId: createIncident.id } });
    expect(audits.map((entry) => entry.action)).toEqual(["incident.create"]);
    const { eventSeq: after } = await t.app.services.db.prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } });
    expect(after).toBe(before + BigInt(stored.length));
  });

  it("records a change without events (a new API token) with its audit entry only", async () => {
    const { eventSeq: before } = await t.app.services.db.prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } });
    const { createApiToken } = ok(
      await t.gql<{ createApiToken: { apiToken: { id: string } } }>(
        `mutation($o: ID!) { createApiToken(input: { organizationId: $o, name: "deploys", role: MEMBER }) { apiToken { id } } }`,
        { o: a.orgId },
        { token: a.admin },
      ),
    );
    const audits = await t.app.services.db.prisma.auditEntry.findMany({ where: { organizationId: a.orgId, targetId: createApiToken.apiToken.id } });
    expect(audits.map((entry) => entry.action)).toEqual(["api_token.create"]);
    const { eventSeq: after } = await t.app.services.db.prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } });
    expect(after).toBe(before);
  });

  it("reads locked rows exactly as Prisma reads them, and leaves out deleted and foreign ones", async () => {
    const other = await createTenant(t);
    const { createIncident } = ok(
      await t.gql<{ createIncident: { id: string } }>(
        `mutation($s: ID!) { createIncident(input: { title: "Slow search", serviceIds: [$s], message: "Looking", impact: DEGRADED_PERFORMANCE }) { id } }`,
        { s: other.serviceId },
        { token: other.admin },
      ),
    );
    await t.app.services.mutations.run(other.orgId, "test", async (m) => {
      const services = await m.lockLive("Service", [other.serviceId, a.serviceId, "no-such-id"]);
      expect(services).toEqual([await m.tx.service.findUniqueOrThrow({ where: { id: other.serviceId } })]);
      const incidents = await m.lockLive("Incident", [createIncident.id]);
      expect(incidents).toEqual([await m.tx.incident.findUniqueOrThrow({ where: { id: createIncident.id } })]);
    });
    ok(await t.gql(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id: createIncident.id }, { token: other.admin }));
    await t.app.services.mutations.run(other.orgId, "test", async (m) => {
      expect(await m.lockLive("Incident", [createIncident.id])).toEqual([]);
    });
  });

  it("writes a rename's and a status change's row in the statement of its audit entry and event, at one time", async () => {
    const a = await createTenant(t); // a service of its own: the tests above changed the shared one
    const { createIncident } = ok(
      await t.gql<{ createIncident: { id: string } }>(
        `mutation($s: ID!) { createIncident(input: { title: "Login fails", serviceIds: [$s], message: "Looking", impact: PARTIAL_OUTAGE }) { id } }`,
        { s: a.serviceId },
        { token: a.admin },
      ),
    );
    const { updateIncident } = ok(
      await t.gql<{ updateIncident: { title: string; status: string } }>(
        `mutation($id: ID!) { updateIncident(input: { id: $id, title: "Login fails for some", status: IDENTIFIED }) { title status } }`,
        { id: createIncident.id },
        { token: a.admin },
      ),
    );
    expect(updateIncident).toEqual({ title: "Login fails for some", status: "IDENTIFIED" });
    const prisma = t.app.services.db.prisma;
    const incident = await prisma.incident.findUniqueOrThrow({ where: { id: createIncident.id }, include: { updates: { orderBy: { createdAt: "asc" } } } });
    expect(incident).toMatchObject({ title: "Login fails for some", status: "IDENTIFIED", resolvedAt: null });
    expect(incident.updates.map((u) => u.status)).toEqual(["INVESTIGATING", "IDENTIFIED"]);
    const [audit] = await prisma.auditEntry.findMany({ where: { targetId: createIncident.id, action: "incident.update" } });
    const [event] = await prisma.event.findMany({ where: { incidentId: createIncident.id, kind: "INCIDENT_UPDATED" } });
    expect(incident.updatedAt).toEqual(audit!.createdAt);
    expect(event!.occurredAt).toEqual(audit!.createdAt);

    const set = (status: string) =>
      t.gql(`mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id status } }`, { id: a.serviceId, s: status }, { token: a.admin });
    ok(await set("UNDER_MAINTENANCE"));
    const service = await prisma.service.findUniqueOrThrow({ where: { id: a.serviceId } });
    expect(service).toMatchObject({ status: "UNDER_MAINTENANCE", statusSource: "MANUAL", statusIncidentId: null, statusMaintenanceId: null });
    const [change] = await prisma.event.findMany({ where: { serviceId: a.serviceId, serviceStatus: "UNDER_MAINTENANCE" } });
    expect(service.statusSince).toEqual(change!.occurredAt);
    expect(service.updatedAt).toEqual(change!.occurredAt);
    // The same status again: no event, the audit entry, and statusSince kept.
    const { eventSeq: before } = await prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } });
    ok(await set("UNDER_MAINTENANCE"));
    const again = await prisma.service.findUniqueOrThrow({ where: { id: a.serviceId } });
    expect(again.statusSince).toEqual(service.statusSince);
    expect(again.updatedAt.getTime()).toBeGreaterThanOrEqual(service.updatedAt.getTime());
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: a.orgId } })).eventSeq).toBe(before);
    expect(await prisma.auditEntry.count({ where: { targetId: a.serviceId, action: "service.set_status" } })).toBe(2);
  });

  it("refuses anything after a mutation's final write, and then changes nothing", async () => {
    const prisma = t.app.services.db.prisma;
    const before = await prisma.service.findUniqueOrThrow({ where: { id: a.serviceId } });
    const audits = await prisma.auditEntry.count({ where: { organizationId: a.orgId } });
    await expect(
      t.app.services.mutations.run(a.orgId, "test", async (m) => {
        const [service] = await m.lockLive<typeof before>("Service", [a.serviceId]);
        m.audit("service.set_status", a.serviceId);
        m.finishWith("Service", service!, { status: "MAJOR_OUTAGE", statusSource: "MANUAL" });
        return m.tx.service.findUniqueOrThrow({ where: { id: a.serviceId } });
      }),
    ).rejects.toThrow(/last write/);
    // A final write whose row is not the organisation's (or not there) rolls everything back.
    const other = await createTenant(t);
    await expect(
      t.app.services.mutations.run(a.orgId, "test", async (m) => {
        const [service] = await m.lockLive<typeof before>("Service", [a.serviceId]);
        m.audit("service.set_status", a.serviceId);
        m.emit({ kind: "SERVICE_STATUS_CHANGED", serviceId: a.serviceId, serviceStatus: "MAJOR_OUTAGE" });
        return m.finishWith("Service", { ...service!, id: other.serviceId }, { status: "MAJOR_OUTAGE" });
      }),
    ).rejects.toThrow(/wrote 0 rows/);
    expect(await prisma.service.findUniqueOrThrow({ where: { id: a.serviceId } })).toEqual(before);
    expect((await prisma.service.findUniqueOrThrow({ where: { id: other.serviceId } })).status).toBe("OPERATIONAL");
    expect(await prisma.auditEntry.count({ where: { organizationId: a.orgId } })).toBe(audits);
  });
});
