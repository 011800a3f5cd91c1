// The serialisation rule of API.md: concurrent incidents never both read the same fromStatus.
// Runs on PGlite (per-row mutex) and, with TEST_DATABASE_URL, on PostgreSQL (row locks).
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

const CREATE = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id affectedServices { fromStatus toStatus } } }`;
const SERVICE = `query($slug: String!) { organization(slug: $slug) { services { id status } incidents(state: ACTIVE) { nodes { id } } events { kind } } }`;

describe("concurrent incidents", () => {
  it("lets exactly one of ten concurrent createIncident calls on one OPERATIONAL service win", async () => {
    const serviceId = await createService(t, a);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.gql(CREATE, { input: { serviceIds: [serviceId], title: `Race ${i}`, message: "m", impact: "MAJOR_OUTAGE" } }, { token: a.admin }),
      ),
    );
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === "INVALID_TRANSITION")).toHaveLength(9);
    const org = ok(await t.gql<{ organization: { services: { id: string; status: string }[]; incidents: { nodes: unknown[] }; events: { kind: string }[] } }>(SERVICE, { slug: a.slug }, { token: a.admin })).organization;
    expect(org.services.find((s) => s.id === serviceId)?.status).toBe("MAJOR_OUTAGE");
    expect(org.incidents.nodes).toHaveLength(1);
    expect(org.events.filter((e) => e.kind === "INCIDENT_CREATED")).toHaveLength(1);
  });

  it("never gives two concurrent incidents on overlapping services the same fromStatus", async () => {
    const [x, y] = [await createService(t, a), await createService(t, a)];
    const [first, second] = await Promise.all([
      t.gql<{ createIncident: { affectedServices: { fromStatus: string; toStatus: string }[] } }>(
        CREATE,
        { input: { serviceIds: [x, y], title: "Partial", message: "m", impact: "PARTIAL_OUTAGE" } },
        { token: a.admin },
      ),
      t.gql<{ createIncident: { affectedServices: { fromStatus: string; toStatus: string }[] } }>(
        CREATE,
        { input: { serviceIds: [y, x], title: "Major", message: "m", impact: "MAJOR_OUTAGE" } },
        { token: a.admin },
      ),
    ]);
    // Both may win (PARTIAL then MAJOR is a worsening) or the later one may be refused (MAJOR
    // then PARTIAL is not); what may never happen is both reading OPERATIONAL.
    const won = [first, second].filter((r) => !r.errors);
    expect(won.length).toBeGreaterThanOrEqual(1);
    if (won.length === 2) {
      const froms = won.map((r) => r.data!.createIncident.affectedServices.map((s) => s.fromStatus).sort().join());
      expect(froms.filter((f) => f === "OPERATIONAL,OPERATIONAL")).toHaveLength(1);
      expect(froms).toContain("PARTIAL_OUTAGE,PARTIAL_OUTAGE");
    } else {
      expect(codeOf(first.errors ? first : second)).toBe("INVALID_TRANSITION");
    }
  });
});
