// Service.uptime over GraphQL: today's entry reflects a change made now, and history older than
// the 90-day window still decides the status each window starts with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await createTenant(t);
});
afterAll(() => t?.stop());

type Day = { date: string; operationalRatio: number; worstStatus: string };
const UPTIME = `query($slug: String!, $days: Int) { statusPage(slug: $slug) { services { id uptime(days: $days) { date operationalRatio worstStatus } } } }`;

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
    expect(today!.operationalRatio).toBeLessThan(1);
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

  it("refuses a window outside 1 to 90 days", async () => {
    const result = await t.gql(UPTIME, { slug: a.slug, days: 91 }, { endpoint: "/graphql/public" });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
