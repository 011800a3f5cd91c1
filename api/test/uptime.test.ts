// Service.uptime over GraphQL: today's entry reflects a change made now, history older than
// the 90-day window still decides the status each window starts with, and each day names the
// incidents that affected the service (from the published page's build).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await createTenant(t);
});
afterAll(() => t?.stop());

type Day = { date: string; operationalRatio: number; worstStatus: string; incidentIds?: string[] };
const UPTIME = `query($slug: String!, $days: Int) { statusPage(slug: $slug) { services { id uptime(days: $days) { date operationalRatio worstStatus } } } }`;
const UPTIME_INCIDENTS = `query($slug: String!) { statusPage(slug: $slug) { services { id uptime(days: 3) { date incidentIds } } } }`;

async function uptimeOf(serviceId: string, days = 90): Promise<Day[]> {
  const data = ok(await t.gql<{ statusPage: { services: { id: string; uptime: Day[] }[] } }>(UPTIME, { slug: a.slug, days }, { endpoint: "/graphql/public" }));
  return data.statusPage.services.find((s) => s.id === serviceId)!.uptime;
}

describe("Service.uptime", () => {
  it("shows today only for a service created today, and counts a change made now", async () => {
    expect(await uptimeOf(a.serviceId)).toEqual([{ date: new Date().toISOString().slice(0, 10), operationalRatio: 1, worstStatus: "OPERATIONAL" }]);
    ok(await t.gql(`mutation($id: ID!) { setServiceStatus(input: { id: $id, status: MAJOR_OUTAGE }) { id } }`, { id: a.serviceId }, { token: a.admin }));
    const [today] = await uptimeOf(a.serviceId);
    expect(today!.worstStatus).toBe("MAJOR_OUTAGE");
    // The ratio is as of the published page's minute (TIME_BUCKET_MS): a minute on, the time down
    // since the change counts in it (the day the service was created, whatever the hour now).
    const realNow = Date.now.bind(Date);
    const later = vi.spyOn(Date, "now").mockImplementation(() => realNow() + 61_000);
    try {
      const [first] = await uptimeOf(a.serviceId);
      expect(first!.worstStatus).toBe("MAJOR_OUTAGE");
      expect(first!.operationalRatio).toBeLessThan(1);
    } finally {
      later.mockRestore();
    }
  });

  it("starts each day of an old service from the status it had before the window", async () => {
    const prisma = t.app.services.db.prisma;
    const longAgo = new Date(Date.now() - 200 * 86_400_000);
    const service = await prisma.service.create({ data: { organizationId: a.orgId, name: "Old", createdAt: longAgo, statusSince: longAgo } });
    const org = await prisma.organization.update({ where: { id: a.orgId }, data: { eventSeq: { increment: 1 } } });
    await prisma.event.create({
      data: { organizationId: a.orgId, position: org.eventSeq, kind: "SERVICE_STATUS_CHANGED", serviceId: service.id, serviceStatus: "PARTIAL_OUTAGE", occurredAt: new Date(Date.now() - 100 * 86_400_000) },
    });
    // Written around the mutation runner: tell the published page, as a commit would.
    t.app.services.pages.invalidate(a.orgId);
    const days = await uptimeOf(service.id, 3);
    expect(days).toHaveLength(3);
    expect(days.every((d) => d.worstStatus === "PARTIAL_OUTAGE" && d.operationalRatio === 0)).toBe(true);
  });

  it("names on each day the incidents of the service open during it, on both endpoints, deleted ones left out", async () => {
    const prisma = t.app.services.db.prisma;
    const other = ok(await t.gql<{ createService: { id: string } }>(`mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, { input: { organizationId: a.orgId, name: "Elsewhere" } }, { token: a.admin })).createService.id;
    const open = async (serviceId: string, title: string, impact = "PARTIAL_OUTAGE") =>
      ok(await t.gql<{ createIncident: { id: string } }>(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [serviceId], title, message: "Looking.", impact } }, { token: a.admin })).createIncident.id;
    const DAY = 86_400_000;
    const midnight = Math.floor(Date.now() / DAY) * DAY;
    const ours = (await prisma.service.create({ data: { organizationId: a.orgId, name: "Ten days old", createdAt: new Date(midnight - 10 * DAY) } })).id;
    t.app.services.pages.invalidate(a.orgId);
    const theirs = await open(other, "Not ours");
    const today = await open(ours, "Today");
    const removed = await open(ours, "Removed", "MAJOR_OUTAGE");
    ok(await t.gql(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id: removed }, { token: a.admin }));
    // One that ran from the day before yesterday to yesterday, written around the mutation runner.
    const past = await prisma.incident.create({
      data: { organizationId: a.orgId, title: "Two days", status: "RESOLVED", createdAt: new Date(midnight - 2 * DAY + 3_600_000), resolvedAt: new Date(midnight - DAY + 3_600_000) },
    });
    await prisma.incidentService.create({ data: { organizationId: a.orgId, incidentId: past.id, serviceId: ours, fromStatus: "OPERATIONAL", toStatus: "MAJOR_OUTAGE" } });
    t.app.services.pages.invalidate(a.orgId);
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const expected = [
      [iso(midnight - 2 * DAY), [past.id]],
      [iso(midnight - DAY), [past.id]],
      [iso(midnight), [today]],
    ];
    const publicDays = ok(await t.gql<{ statusPage: { services: { id: string; uptime: Required<Day>[] }[] } }>(UPTIME_INCIDENTS, { slug: a.slug }, { endpoint: "/graphql/public" }));
    const days = publicDays.statusPage.services.find((s) => s.id === ours)!.uptime;
    expect(days.map((d) => [d.date, d.incidentIds])).toEqual(expected);
    expect(publicDays.statusPage.services.find((s) => s.id === other)!.uptime.at(-1)!.incidentIds).toEqual([theirs]);
    const adminDays = ok(await t.gql<{ organization: { service: { uptime: Required<Day>[] } } }>(`query($slug: String!, $id: ID!) { organization(slug: $slug) { service(id: $id) { uptime(days: 3) { date incidentIds } } } }`, { slug: a.slug, id: ours }, { token: a.member }));
    expect(adminDays.organization.service.uptime).toEqual(days);
  });

  it("refuses a window outside 1 to 90 days", async () => {
    const result = await t.gql(UPTIME, { slug: a.slug, days: 91 }, { endpoint: "/graphql/public" });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
