// The status rules of API.md over GraphQL: what a change does to services, what a refused
// change leaves behind (nothing), the timeline, recalculation on resolve and delete, and the
// page indicator. The pure rules have their own table tests beside domain.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await createTenant(t);
});
afterAll(() => t?.stop());

type Incident = { id: string; status: string; resolvedAt: string | null; updates: { status: string; message: string }[]; affectedServices: { fromStatus: string; toStatus: string }[] };
const INCIDENT_FIELDS = `id status resolvedAt updates { status message } affectedServices { fromStatus toStatus }`;

const open = (serviceIds: string[], impact: string, title = "Incident") =>
  t.gql<{ createIncident: Incident }>(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { ${INCIDENT_FIELDS} } }`, { input: { serviceIds, title, message: "Looking", impact } }, { token: a.admin });
const update = (input: Record<string, unknown>) =>
  t.gql<{ updateIncident: Incident }>(`mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { ${INCIDENT_FIELDS} } }`, { input }, { token: a.admin });
const setStatus = (id: string, status: string) =>
  t.gql(`mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id } }`, { input: { id, status } }, { token: a.admin });

async function snapshot() {
  return ok(
    await t.gql<{ organization: { status: { indicator: string; description: string }; services: { id: string; status: string; statusSource: { kind: string; incident: { id: string } | null } }[]; auditLog: { nodes: unknown[] }; events: unknown[]; incidents: { nodes: { id: string }[] } } }>(
      `query($slug: String!) { organization(slug: $slug) {
        status { indicator description }
        services { id status statusSource { kind incident { id } } }
        auditLog(first: 200) { nodes { id } } events(first: 500) { cursor } incidents(first: 100) { nodes { id } } } }`,
      { slug: a.slug },
      { token: a.admin },
    ),
  ).organization;
}
const statusOf = async (id: string) => (await snapshot()).services.find((s) => s.id === id)!;

describe("opening an incident", () => {
  it("starts INVESTIGATING, records from/to per service, worsens them and names itself as their source", async () => {
    const [x, y] = [await createService(t, a), await createService(t, a)];
    ok(await setStatus(y, "DEGRADED_PERFORMANCE"));
    const incident = ok(await open([x, y], "MAJOR_OUTAGE")).createIncident;
    expect(incident.status).toBe("INVESTIGATING");
    expect(incident.updates).toEqual([{ status: "INVESTIGATING", message: "Looking" }]);
    expect(incident.affectedServices.map((s) => `${s.fromStatus}>${s.toStatus}`).sort()).toEqual(["DEGRADED_PERFORMANCE>MAJOR_OUTAGE", "OPERATIONAL>MAJOR_OUTAGE"]);
    expect(await statusOf(x)).toMatchObject({ status: "MAJOR_OUTAGE", statusSource: { kind: "INCIDENT", incident: { id: incident.id } } });
  });

  it.each([
    ["DEGRADED_PERFORMANCE", "DEGRADED_PERFORMANCE"],
    ["PARTIAL_OUTAGE", "DEGRADED_PERFORMANCE"],
    ["MAJOR_OUTAGE", "MAJOR_OUTAGE"],
    ["UNDER_MAINTENANCE", "MAJOR_OUTAGE"],
    ["OPERATIONAL", "OPERATIONAL"],
    ["OPERATIONAL", "UNDER_MAINTENANCE"],
  ])("refuses %s → %s with INVALID_TRANSITION and changes nothing", async (from, impact) => {
    const [x, fine] = [await createService(t, a), await createService(t, a)];
    if (from !== "OPERATIONAL") ok(await setStatus(x, from));
    const before = await snapshot();
    // A second, acceptable service in the same incident is rolled back with the refused one.
    const refused = await open([fine, x], impact);
    expect(codeOf(refused)).toBe("INVALID_TRANSITION");
    expect(await snapshot()).toEqual(before);
  });
});

describe("updating an incident", () => {
  it("moves forward only (skipping allowed), appends one timeline entry per change, and never reopens", async () => {
    const x = await createService(t, a);
    const { id } = ok(await open([x], "PARTIAL_OUTAGE")).createIncident;
    expect(ok(await update({ id, status: "MONITORING", message: "Fix deployed" })).updateIncident.status).toBe("MONITORING");
    expect(codeOf(await update({ id, status: "IDENTIFIED", message: "Back?" }))).toBe("INVALID_TRANSITION");
    expect(ok(await update({ id, message: "Still watching" })).updateIncident.updates.map((u) => u.status)).toEqual(["INVESTIGATING", "MONITORING", "MONITORING"]);
    const resolved = ok(await update({ id, status: "RESOLVED", message: "Done" })).updateIncident;
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.updates).toHaveLength(4);
    const before = await snapshot();
    expect(codeOf(await update({ id, status: "MONITORING", message: "Reopen" }))).toBe("INVALID_TRANSITION");
    expect(await snapshot()).toEqual(before);
  });
});

describe("recalculation", () => {
  it("returns a service to the other active incident's status on resolve, then to OPERATIONAL", async () => {
    const x = await createService(t, a);
    const first = ok(await open([x], "DEGRADED_PERFORMANCE", "First")).createIncident;
    const second = ok(await open([x], "MAJOR_OUTAGE", "Second")).createIncident;
    ok(await update({ id: second.id, status: "RESOLVED", message: "Second done" }));
    expect(await statusOf(x)).toMatchObject({ status: "DEGRADED_PERFORMANCE", statusSource: { kind: "INCIDENT", incident: { id: first.id } } });
    ok(await update({ id: first.id, status: "RESOLVED", message: "All done" }));
    expect((await statusOf(x)).status).toBe("OPERATIONAL");
  });

  it("recalculates when an active incident is deleted, and hides it", async () => {
    const x = await createService(t, a);
    const { id } = ok(await open([x], "PARTIAL_OUTAGE")).createIncident;
    expect(ok(await t.gql<{ deleteIncident: string }>(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id }, { token: a.admin })).deleteIncident).toBe(id);
    expect((await statusOf(x)).status).toBe("OPERATIONAL");
    expect((await snapshot()).incidents.nodes.map((n) => n.id)).not.toContain(id);
    expect(codeOf(await update({ id, message: "Ghost" }))).toBe("NOT_FOUND");
  });

  it("leaves a service under maintenance there when its incident resolves", async () => {
    const x = await createService(t, a);
    const { id } = ok(await open([x], "MAJOR_OUTAGE")).createIncident;
    ok(await setStatus(x, "UNDER_MAINTENANCE"));
    ok(await update({ id, status: "RESOLVED", message: "Done" }));
    expect(await statusOf(x)).toMatchObject({ status: "UNDER_MAINTENANCE", statusSource: { kind: "MANUAL" } });
  });
});

describe("the page indicator", () => {
  it("follows the worst service, and shows maintenance only when nothing is worse", async () => {
    const b = await createTenant(t);
    const [x, y] = [b.serviceId, await createService(t, b)];
    const indicator = async () =>
      ok(await t.gql<{ statusPage: { status: { indicator: string; description: string } } }>(`query($s: String!) { statusPage(slug: $s) { status { indicator description } } }`, { s: b.slug }, { endpoint: "/graphql/public" })).statusPage.status;
    const set = async (id: string, status: string) => ok(await t.gql(`mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id } }`, { input: { id, status } }, { token: b.admin }));
    expect(await indicator()).toEqual({ indicator: "NONE", description: "All Systems Operational" });
    await set(x, "UNDER_MAINTENANCE");
    expect((await indicator()).indicator).toBe("MAINTENANCE");
    await set(y, "DEGRADED_PERFORMANCE");
    expect((await indicator()).indicator).toBe("MINOR");
    await set(y, "PARTIAL_OUTAGE");
    expect((await indicator()).indicator).toBe("MAJOR");
    await set(y, "MAJOR_OUTAGE");
    expect((await indicator()).indicator).toBe("CRITICAL");
  });
});

describe("every accepted mutation leaves one audit entry and its events", () => {
  it("counts two audit entries and three events for a service and an incident on it", async () => {
    const before = await snapshot();
    const x = await createService(t, a);
    ok(await open([x], "PARTIAL_OUTAGE"));
    const after = await snapshot();
    expect(after.auditLog.nodes.length - before.auditLog.nodes.length).toBe(2);
    // SERVICE_CREATED; INCIDENT_CREATED + SERVICE_STATUS_CHANGED
    expect(after.events.length - before.events.length).toBe(3);
  });
});
