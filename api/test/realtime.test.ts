// Subscriptions on one instance (the in-process bus on PGlite; Redis too when TEST_REDIS_URL is
// set): who may subscribe, what each audience receives, replay from a cursor, session expiry,
// slow subscribers and shutdown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, signUp, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";
import WebSocket from "ws";
import { connectWs, eventOf, ORG_EVENTS, PAGE_EVENTS, subscribeSse, type Subscription } from "./realtime-kit.ts";

const redisUrl = process.env.TEST_REDIS_URL;
let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  t = await startTestApp({ redisUrl });
  a = await createTenant(t);
  b = await createTenant(t);
});
afterAll(() => t?.stop());

const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const setStatus = async (tenant: Tenant, status: string) => ok(await t.gql(SET_STATUS, { id: tenant.serviceId, status }, { token: tenant.admin }));
/** Subscriptions register asynchronously after the socket opens; give them a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
/**
 * Runs `open` and waits until the hub holds `count` more subscribers than before it: on a loaded
 * machine a fixed pause is not always enough, and an event sent earlier would be missed.
 */
async function registered<T>(count: number, open: () => T): Promise<T> {
  // An earlier test's subscriptions may still be leaving: count from where they have left.
  for (let last = -1, deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    const now = t.app.services.hub.stats().subscribers;
    if (now === last) break;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const before = t.app.services.hub.stats().subscribers;
  const opened = open();
  const deadline = Date.now() + 15_000;
  while (t.app.services.hub.stats().subscribers < before + count) {
    if (Date.now() > deadline) throw new Error(`only ${t.app.services.hub.stats().subscribers - before} of ${count} subscriptions registered`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return opened;
}

describe("who may subscribe", () => {
  it("delivers an organisation's events to its member, its API token and the public, and nothing to another tenant", async () => {
    const member = connectWs(t.url, "/graphql", a.member);
    const token = connectWs(t.url, "/graphql", a.memberApiToken);
    const visitor = connectWs(t.url, "/graphql/public");
    const other = connectWs(t.url, "/graphql", b.admin);
    const [subs, otherSub] = await registered(5, () => [
      [
        member.subscribe(ORG_EVENTS, { organizationId: a.orgId }),
        token.subscribe(ORG_EVENTS, { organizationId: a.orgId }),
        visitor.subscribe(PAGE_EVENTS, { slug: a.slug }),
        subscribeSse(t.url, "/graphql/public", PAGE_EVENTS, { slug: a.slug }),
      ],
      other.subscribe(ORG_EVENTS, { organizationId: b.orgId }),
    ] as const);
    await setStatus(a, "PARTIAL_OUTAGE");
    for (const sub of subs) {
      const [first] = await sub.waitFor(1);
      expect(eventOf(first!)).toMatchObject({ kind: "SERVICE_STATUS_CHANGED", service: { id: a.serviceId, status: "PARTIAL_OUTAGE" } });
    }
    await settle();
    expect(otherSub.received).toEqual([]);
    [...subs, otherSub].forEach((s) => s.close());
    await Promise.all([member, token, visitor, other].map((c) => c.dispose()));
  });

  it.each([
    { who: "another tenant's admin", token: () => b.admin, code: "NOT_FOUND" },
    { who: "an anonymous caller", token: () => undefined, code: "UNAUTHENTICATED" },
  ])("refuses $who on organizationEvents with $code and never delivers", async ({ token, code }) => {
    const conn = connectWs(t.url, "/graphql", token());
    const sub = conn.subscribe(ORG_EVENTS, { organizationId: a.orgId });
    await sub.ended;
    expect(sub.received[0]?.errors?.[0]?.extensions?.code ?? sub.received[0]?.errors?.[0]?.message).toBe(code);
    await setStatus(a, "OPERATIONAL");
    await settle();
    expect(sub.received).toHaveLength(1);
    await conn.dispose();
  });

  it("answers NOT_FOUND for a page that does not exist", async () => {
    const conn = connectWs(t.url, "/graphql/public");
    const sub = conn.subscribe(PAGE_EVENTS, { slug: "no-such-page" });
    await sub.ended;
    expect(sub.received[0]?.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    await conn.dispose();
  });

  it("closes a connection with an invalid token with 4401", async () => {
    const conn = connectWs(t.url, "/graphql", "not-a-token");
    expect((await conn.closed).code).toBe(4401);
  });

  it("has no organizationEvents on the public endpoint", async () => {
    const conn = connectWs(t.url, "/graphql/public");
    const refused = conn.subscribe(ORG_EVENTS, { organizationId: a.orgId });
    await refused.ended;
    expect(refused.received[0]?.errors?.[0]?.message).toMatch(/organizationEvents/);
    await conn.dispose();
  });
});

describe("publish after commit", () => {
  it("publishes nothing for a refused mutation", async () => {
    const conn = connectWs(t.url, "/graphql", a.member);
    const sub = conn.subscribe(ORG_EVENTS, { organizationId: a.orgId });
    await settle();
    await setStatus(a, "UNDER_MAINTENANCE");
    const refused = await t.gql(
      `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
      { input: { serviceIds: [a.serviceId], title: "Refused", message: "m", impact: "MAJOR_OUTAGE" } },
      { token: a.admin },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("INVALID_TRANSITION");
    await setStatus(a, "OPERATIONAL");
    const got = (await sub.waitFor(2)).map(eventOf);
    expect(got.map((e) => `${e.kind}:${e.serviceStatus}`)).toEqual(["SERVICE_STATUS_CHANGED:UNDER_MAINTENANCE", "SERVICE_STATUS_CHANGED:OPERATIONAL"]);
    await settle();
    expect(sub.received).toHaveLength(2);
    sub.close();
    await conn.dispose();
  });
});

describe("replay", () => {
  it("gives a subscriber that comes back with its last cursor exactly the events it missed, in order, then live ones", async () => {
    const first = connectWs(t.url, "/graphql", a.member);
    const live = first.subscribe(ORG_EVENTS, { organizationId: a.orgId });
    await settle();
    await setStatus(a, "DEGRADED_PERFORMANCE");
    const [seen] = await live.waitFor(1);
    const lastCursor = eventOf(seen!).cursor;
    live.close();
    await first.dispose();

    for (const status of ["PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"]) await setStatus(a, status);

    const again = connectWs(t.url, "/graphql", a.member);
    const resumed = again.subscribe(ORG_EVENTS, { organizationId: a.orgId, after: lastCursor });
    const missed = (await resumed.waitFor(3)).map(eventOf);
    expect(missed.map((e) => e.serviceStatus)).toEqual(["PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"]);
    expect(missed.every((e) => e.service?.status === "OPERATIONAL")).toBe(true); // objects are as they are now
    expect(missed.every((e) => e.cursor > lastCursor)).toBe(true);
    expect([...missed.map((e) => e.cursor)].sort()).toEqual(missed.map((e) => e.cursor));

    await setStatus(a, "DEGRADED_PERFORMANCE");
    const all = (await resumed.waitFor(4)).map(eventOf);
    expect(all[3]!.serviceStatus).toBe("DEGRADED_PERFORMANCE");
    await settle();
    expect(resumed.received).toHaveLength(4); // no duplicate of a replayed event
    resumed.close();
    await again.dispose();
  });

  it("delivers nothing old without a cursor, and refuses a cursor the server never issued", async () => {
    const conn = connectWs(t.url, "/graphql/public");
    const fresh = conn.subscribe(PAGE_EVENTS, { slug: a.slug });
    await settle();
    expect(fresh.received).toEqual([]);
    const bad = conn.subscribe(PAGE_EVENTS, { slug: a.slug, after: "yesterday" });
    await bad.ended;
    expect(bad.received[0]?.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    fresh.close();
    await conn.dispose();
  });

  it("loses nothing when many changes race with a subscriber that resumes", async () => {
    const conn = connectWs(t.url, "/graphql", a.admin);
    const start = connectWs(t.url, "/graphql", a.admin);
    // Registered before the changes (a fixed pause was not always enough on a loaded machine).
    const probe = await registered(1, () => start.subscribe(ORG_EVENTS, { organizationId: a.orgId }));
    await setStatus(a, "MAJOR_OUTAGE");
    await setStatus(a, "OPERATIONAL");
    const cursor = eventOf((await probe.waitFor(2))[1]!).cursor;
    probe.close();
    await start.dispose();
    const statuses = ["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"];
    const writes = (async () => {
      for (let i = 0; i < 12; i++) await setStatus(a, statuses[i % 4]!);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sub: Subscription = conn.subscribe(ORG_EVENTS, { organizationId: a.orgId, after: cursor });
    await writes;
    const got = (await sub.waitFor(12)).map(eventOf);
    expect(got.map((e) => e.serviceStatus)).toEqual(Array.from({ length: 12 }, (_, i) => statuses[i % 4]));
    await settle();
    expect(sub.received).toHaveLength(12);
    sub.close();
    await conn.dispose();
  });
});

describe("connections", () => {
  it("closes a socket with 4401 when its session expires", async () => {
    const short = await startTestApp({ sessionTtlSeconds: 2 });
    try {
      // One call, not a whole tenant: on a loaded machine the set-up alone can outlast 2 s.
      const owner = await signUp(short);
      const conn = connectWs(short.url, "/graphql", owner.token);
      conn.subscribe(ORG_EVENTS, { organizationId: owner.orgId });
      const started = Date.now();
      expect((await conn.closed).code).toBe(4401);
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await short.stop();
    }
  });

  it("ends subscriptions with a reconnect close code (1012) when the server stops", async () => {
    const app = await startTestApp();
    const tenant = await createTenant(app);
    const conn = connectWs(app.url, "/graphql/public");
    conn.subscribe(PAGE_EVENTS, { slug: tenant.slug });
    await settle();
    await app.stop();
    expect((await conn.closed).code).toBe(1012);
  });

  it("throttles public connections per IP with 429 and Retry-After", async () => {
    const app = await startTestApp({ publicRateLimit: 2 });
    try {
      const statuses = await Promise.all(Array.from({ length: 5 }, () => openWebSocket(app.url.replace(/^http/, "ws") + "/graphql/public")));
      const refused = statuses.filter((s) => s.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(Number(refused[0]!.retryAfter)).toBeGreaterThanOrEqual(1);
      const http = await Promise.all(Array.from({ length: 3 }, () => app.gql(`{ __typename }`, {}, { endpoint: "/graphql/public" })));
      expect(http.some((r) => r.status === 429 && r.errors?.[0]?.extensions?.code === "RATE_LIMITED")).toBe(true);
    } finally {
      await app.stop();
    }
  });
});

/** Opens a raw WebSocket: 101 when accepted, else the HTTP status and Retry-After of the refusal. */
function openWebSocket(url: string): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    ws.on("open", () => {
      ws.close();
      resolve({ status: 101, retryAfter: null });
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers["retry-after"]) ?? null });
      ws.terminate();
    });
    ws.on("error", () => {});
  });
}

describe("fan-out", () => {
  it("executes an event once per audience and selection, however many subscribers receive it", async () => {
    const { fanOutStats } = await import("../src/graphql/shared-execution.ts");
    const members = Array.from({ length: 10 }, () => connectWs(t.url, "/graphql", a.member));
    const visitors = Array.from({ length: 10 }, () => connectWs(t.url, "/graphql/public"));
    const subs = await registered(20, () => [
      ...members.map((c) => c.subscribe(ORG_EVENTS, { organizationId: a.orgId })),
      ...visitors.map((c) => c.subscribe(PAGE_EVENTS, { slug: a.slug })),
    ]);
    const before = { ...fanOutStats };
    await setStatus(a, "UNDER_MAINTENANCE");
    for (const sub of subs) expect(eventOf((await sub.waitFor(1))[0]!).serviceStatus).toBe("UNDER_MAINTENANCE");
    expect(fanOutStats.deliveries - before.deliveries).toBe(20);
    expect(fanOutStats.executions - before.executions).toBe(2); // one for members, one for the public
    subs.forEach((s) => s.close());
    await Promise.all([...members, ...visitors].map((c) => c.dispose()));
    // Closed subscriptions leave at once, without waiting for another event.
    await settle();
    expect(t.app.services.hub.stats()).toEqual({ organizations: 0, subscribers: 0 });
  });
});
