// Two instances on one PostgreSQL database and one Redis, as in production: a change made
// through one reaches every kind of subscriber on the other, and a Redis outage loses nothing.
// Needs TEST_DATABASE_URL and TEST_REDIS_URL (CI sets both); the outage test runs its own
// redis-server on a spare port so it can kill it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ownRedis, twoInstances, waitUntil } from "./cluster-kit.ts";
import { ok } from "./harness.ts";
import { connectWs, eventOf, ORG_EVENTS, PAGE_EVENTS, subscribeSse } from "./realtime-kit.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe.skipIf(!databaseUrl || !redisUrl)("two instances over Redis", () => {
  let cluster: Awaited<ReturnType<typeof twoInstances>>;
  let tenant: Tenant;
  beforeAll(async () => {
    cluster = await twoInstances(redisUrl);
    tenant = await createTenant(cluster.a);
  });
  afterAll(() => cluster?.stop());

  it("brings a change made on A to private WebSocket, public WebSocket and public SSE subscribers on B within a second", async () => {
    const { a, b } = cluster;
    const other = await createTenant(a);
    const member = connectWs(b.url, "/graphql", tenant.member);
    const visitor = connectWs(b.url, "/graphql/public");
    const bystander = connectWs(b.url, "/graphql/public");
    const subs = [
      member.subscribe(ORG_EVENTS, { organizationId: tenant.orgId }),
      visitor.subscribe(PAGE_EVENTS, { slug: tenant.slug }),
      subscribeSse(b.url, "/graphql/public", PAGE_EVENTS, { slug: tenant.slug }),
    ];
    const otherSub = bystander.subscribe(PAGE_EVENTS, { slug: other.slug });
    await settle();
    const started = performance.now();
    ok(await a.gql(SET_STATUS, { id: tenant.serviceId, status: "MAJOR_OUTAGE" }, { token: tenant.admin }));
    const latencies = await Promise.all(
      subs.map(async (sub) => {
        const [first] = await sub.waitFor(1, 1_000);
        expect(eventOf(first!)).toMatchObject({ kind: "SERVICE_STATUS_CHANGED", serviceStatus: "MAJOR_OUTAGE" });
        return Math.round(performance.now() - started);
      }),
    );
    console.info(`cross-instance delivery (ms, from mutation start): ws private ${latencies[0]}, ws public ${latencies[1]}, sse public ${latencies[2]}`);
    await settle();
    expect(otherSub.received).toEqual([]);
    [...subs, otherSub].forEach((s) => s.close());
    await Promise.all([member, visitor, bystander].map((c) => c.dispose()));
  });
});

describe.skipIf(!databaseUrl)("a Redis outage", () => {
  let redis: { port: number; start(): Promise<void>; kill(): Promise<void> };
  let cluster: Awaited<ReturnType<typeof twoInstances>>;
  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
    cluster = await twoInstances(`redis://127.0.0.1:${redis.port}`);
  });
  afterAll(async () => {
    await cluster?.stop();
    await redis?.kill();
  });

  it("keeps mutations committing, shows on /ready, and delivers what happened meanwhile once Redis is back", async () => {
    const { a, b } = cluster;
    const tenant = await createTenant(a);
    const conn = connectWs(b.url, "/graphql", tenant.member);
    const sub = conn.subscribe(ORG_EVENTS, { organizationId: tenant.orgId });
    await settle();

    await redis.kill();
    await waitUntil(async () => (await fetch(`${b.url}/ready`)).status === 503);
    const ready = (await (await fetch(`${a.url}/ready`)).json()) as { events: string };
    expect(ready.events).toBe("down");

    ok(await a.gql(SET_STATUS, { id: tenant.serviceId, status: "PARTIAL_OUTAGE" }, { token: tenant.admin }));
    await settle();
    expect(sub.received).toEqual([]);

    await redis.start();
    const [event] = await sub.waitFor(1, 10_000);
    expect(eventOf(event!)).toMatchObject({ kind: "SERVICE_STATUS_CHANGED", serviceStatus: "PARTIAL_OUTAGE" });
    await waitUntil(async () => (await fetch(`${b.url}/ready`)).status === 200);

    // And live delivery works again afterwards.
    ok(await a.gql(SET_STATUS, { id: tenant.serviceId, status: "OPERATIONAL" }, { token: tenant.admin }));
    expect(eventOf((await sub.waitFor(2, 2_000))[1]!).serviceStatus).toBe("OPERATIONAL");
    sub.close();
    await conn.dispose();
  });
});
