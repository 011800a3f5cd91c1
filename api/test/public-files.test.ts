// The public files third parties use: Statuspage-compatible JSON, Atom/RSS feeds and the badge —
// shapes, freshness, caching (ETag/304), CORS, and nothing of another tenant or a deleted object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await createTenant(t);
  b = await createTenant(t);
});
afterAll(() => t?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });
const json = async <T>(path: string) => (await (await get(path)).json()) as T;

type Summary = {
  page: { id: string; name: string; url: string; time_zone: string; updated_at: string };
  status: { indicator: string; description: string };
  components: { id: string; name: string; status: string; group: boolean; group_id: string | null; components?: string[] }[];
  incidents: { id: string; name: string; status: string; impact: string; incident_updates: { status: string; body: string }[]; components: { id: string }[] }[];
  scheduled_maintenances: { id: string; status: string; scheduled_for: string; scheduled_until: string }[];
};

describe("Statuspage-compatible JSON", () => {
  it("has Statuspage's summary shape, with groups as group components", async () => {
    const grouped = ok(await t.gql<{ createService: { id: string } }>(`mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, { input: { organizationId: a.orgId, name: "Edge", group: "Network" } }, { token: a.admin })).createService.id;
    ok(await t.gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [grouped], title: "Packet loss", message: "Looking into it", impact: "PARTIAL_OUTAGE" } }, { token: a.admin }));
    const window = { organizationId: a.orgId, serviceIds: [a.serviceId], title: "Upgrade", scheduledStart: new Date(Date.now() + 86_400_000), scheduledEnd: new Date(Date.now() + 90_000_000) };
    ok(await t.gql(`mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`, { input: window }, { token: a.admin }));

    const response = await get(`/api/v2/${a.slug}/summary.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const summary = (await response.json()) as Summary;
    expect(summary.page).toMatchObject({ id: a.orgId, time_zone: "Etc/UTC" });
    expect(summary.page.url).toBe(`${t.url}/status/${a.slug}`);
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    const edge = summary.components.find((c) => c.id === grouped)!;
    expect(edge).toMatchObject({ name: "Edge", status: "partial_outage", group: false });
    expect(summary.components.find((c) => c.id === edge.group_id)).toMatchObject({ name: "Network", group: true, status: "partial_outage", components: [grouped] });
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({ name: "Packet loss", status: "investigating", impact: "major", incident_updates: [{ status: "investigating", body: "Looking into it" }], components: [{ id: grouped }] });
    expect(summary.scheduled_maintenances).toHaveLength(1);
    expect(summary.scheduled_maintenances[0]).toMatchObject({ status: "scheduled", scheduled_for: window.scheduledStart.toISOString() });
  });

  it("serves the matching parts in the other files", async () => {
    expect(Object.keys(await json(`/api/v2/${a.slug}/status.json`)).sort()).toEqual(["page", "status"]);
    expect(Object.keys(await json(`/api/v2/${a.slug}/components.json`)).sort()).toEqual(["components", "page"]);
    expect((await json<{ incidents: unknown[] }>(`/api/v2/${a.slug}/incidents/unresolved.json`)).incidents).toHaveLength(1);
    expect((await json<{ incidents: unknown[] }>(`/api/v2/${a.slug}/incidents.json`)).incidents).toHaveLength(1);
    expect((await json<{ scheduled_maintenances: unknown[] }>(`/api/v2/${a.slug}/scheduled-maintenances.json`)).scheduled_maintenances).toHaveLength(1);
    expect((await get(`/api/v2/${a.slug}/secrets.json`)).status).toBe(404);
    expect((await get(`/api/v2/no-such-page/summary.json`)).status).toBe(404);
  });

  it("answers 304 to a matching If-None-Match, and shows a change at once", async () => {
    const first = await get(`/api/v2/${b.slug}/status.json`);
    const etag = first.headers.get("etag")!;
    expect(first.headers.get("cache-control")).toMatch(/^public, max-age=1(,|$)/);
    expect((await get(`/api/v2/${b.slug}/status.json`, { "if-none-match": etag })).status).toBe(304);
    ok(await t.gql(`mutation($id: ID!) { setServiceStatus(input: { id: $id, status: MAJOR_OUTAGE }) { id } }`, { id: b.serviceId }, { token: b.admin }));
    const changed = await get(`/api/v2/${b.slug}/status.json`, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as Summary).status.indicator).toBe("critical");
  });

  it("never shows another tenant's or a deleted service", async () => {
    const doomed = await createService(t, a, "Doomed");
    ok(await t.gql(`mutation($id: ID!) { deleteService(id: $id) }`, { id: doomed }, { token: a.admin }));
    const ids = (await json<Summary>(`/api/v2/${a.slug}/components.json`)).components.map((c) => c.id);
    expect(ids).not.toContain(doomed);
    expect(ids).not.toContain(b.serviceId);
  });
});

describe("feeds and badge", () => {
  it("lists incidents in Atom and RSS, escaping what people typed", async () => {
    ok(await t.gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [await createService(t, b)], title: "Login <broken> & slow", message: "Fix <soon>", impact: "DEGRADED_PERFORMANCE" } }, { token: b.admin }));
    const atom = await get(`/status/${b.slug}/feed.atom`);
    expect(atom.headers.get("content-type")).toMatch(/application\/atom\+xml/);
    const atomText = await atom.text();
    expect(atomText).toContain("<title>Login &lt;broken&gt; &amp; slow (Investigating)</title>");
    expect(atomText).not.toContain("<broken>");
    const rss = await (await get(`/status/${b.slug}/feed.rss`)).text();
    expect(rss).toMatch(/<rss version="2.0">[\s\S]*<item>[\s\S]*Login &lt;broken&gt;/);
  });

  it("draws the badge in the page's colour with its description", async () => {
    const badge = await get(`/status/${a.slug}/badge.svg`);
    expect(badge.headers.get("content-type")).toMatch(/image\/svg\+xml/);
    const svg = await badge.text();
    expect(svg).toContain("Partial System Outage");
    expect(svg).toContain("#dd6b20");
  });
});
