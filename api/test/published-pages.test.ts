// The published page and the public fast path (docs/adr/0013-published-pages.md): one build for
// a burst of misses, ETags that follow the content, 304s, compressed bodies equal to the plain
// one, no tenant seeing another's cached answer, and freshness: after a change every cached
// representation shows it within a second, on two instances, with Redis up or stopped.
// The two-instance suites need TEST_DATABASE_URL (and TEST_REDIS_URL for the first).
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { ownRedis, twoInstances } from "./cluster-kit.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";
import { createInProcessEventBus } from "../src/lib/pubsub.ts";
import { PublishedPages, TIME_BUCKET_MS } from "../src/modules/public/published-pages.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const PAGE = `query($slug: String!) { statusPage(slug: $slug) { organization { slug name } status { indicator } services { id status uptime(days: 90) { date operationalRatio worstStatus } } } }`;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET as a client without automatic decompression sends it: the bytes as they came. */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const pagePath = (slug: string, query = PAGE) => `/graphql/public?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ slug }))}`;
/** Every public representation of a page, as paths. */
const representations = (slug: string) => [pagePath(slug), `/api/v2/${slug}/summary.json`, `/api/v2/${slug}/status.json`, `/status/${slug}/feed.atom`, `/status/${slug}/badge.svg`];
const JSON_ACCEPT = { accept: "application/json" };

describe("one instance", () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t);
    b = await createTenant(t);
  });
  afterAll(() => t?.stop());
  const builds = () => t.app.services.pages.stats().builds;

  it("builds a page once for a burst of concurrent misses on every representation", async () => {
    const tenant = await createTenant(t);
    const before = builds();
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => get(t.url, representations(tenant.slug)[i % 5]!, JSON_ACCEPT)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(builds() - before).toBe(1);
    // And once more after a change, however many read it at once.
    ok(await t.gql(SET_STATUS, { id: tenant.serviceId, status: "DEGRADED_PERFORMANCE" }, { token: tenant.admin }));
    const again = builds();
    const executions = t.app.services.answers.executions;
    await Promise.all(Array.from({ length: 60 }, (_, i) => get(t.url, representations(tenant.slug)[i % 5]!, JSON_ACCEPT)));
    expect(builds() - again).toBe(1);
    // The twelve GraphQL GETs among them (one document) shared one execution.
    expect(t.app.services.answers.executions - executions).toBe(1);
  });

  it("changes an ETag when and only when the content changes, and answers 304 to it", async () => {
    const tags = async () => Promise.all(representations(a.slug).map(async (path) => (await get(t.url, path, JSON_ACCEPT)).headers.etag as string));
    const first = await tags();
    expect(first.every((tag) => /^"[\w-]+"$/.test(tag))).toBe(true);
    for (const [i, path] of representations(a.slug).entries()) {
      const conditional = await get(t.url, path, { ...JSON_ACCEPT, "if-none-match": first[i]! });
      expect(conditional.status).toBe(304);
      expect(conditional.body.length).toBe(0);
      expect(conditional.headers["cache-control"]).toMatch(/^public, max-age=1, stale-while-revalidate=\d+$/);
    }
    // A rebuild that changes nothing (a commit without visible effect, here forced) keeps every tag.
    const before = builds();
    t.app.services.pages.invalidate(a.orgId);
    expect(await tags()).toEqual(first);
    expect(builds()).toBe(before + 1);
    // A change shows at once on this instance, with new tags where it is visible: everywhere
    // but the feed, which lists incidents (a status set by hand is none).
    ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "MAJOR_OUTAGE" }, { token: a.admin }));
    const changed = await tags();
    changed.forEach((tag, i) => (representations(a.slug)[i]!.endsWith("feed.atom") ? expect(tag).toBe(first[i]) : expect(tag).not.toBe(first[i])));
    const summary = JSON.parse((await get(t.url, `/api/v2/${a.slug}/summary.json`)).body.toString()) as { status: { indicator: string } };
    expect(summary.status.indicator).toBe("critical");
    expect((await get(t.url, pagePath(a.slug), { ...JSON_ACCEPT, "if-none-match": first[0]! })).status).toBe(200);
  });

  it("serves gzip and brotli bodies that decode to the same bytes, varying on Accept-Encoding", async () => {
    // Enough services that the answers are worth compressing.
    for (let i = 0; i < 4; i++) await createService(t, a);
    for (const path of [pagePath(a.slug), `/api/v2/${a.slug}/summary.json`]) {
      const plain = await get(t.url, path, JSON_ACCEPT);
      const gz = await get(t.url, path, { ...JSON_ACCEPT, "accept-encoding": "gzip" });
      const br = await get(t.url, path, { ...JSON_ACCEPT, "accept-encoding": "gzip, deflate, br" });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(br.headers["content-encoding"]).toBe("br");
      expect(String(br.headers.vary)).toMatch(/Accept-Encoding/);
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      JSON.parse(plain.body.toString()); // one valid JSON document
      // A conditional request with the compressed variant's tag matches too.
      expect((await get(t.url, path, { ...JSON_ACCEPT, "accept-encoding": "br", "if-none-match": String(br.headers.etag) })).status).toBe(304);
    }
  });

  it("never shows one organisation another's cached answer", async () => {
    ok(await t.gql(SET_STATUS, { id: b.serviceId, status: "OPERATIONAL" }, { token: b.admin }));
    // The same document for both (only the variables differ), both warm.
    for (let round = 0; round < 2; round++) {
      const pa = JSON.parse((await get(t.url, pagePath(a.slug), JSON_ACCEPT)).body.toString()) as { data: { statusPage: { organization: { slug: string }; services: { id: string }[] } } };
      const pb = JSON.parse((await get(t.url, pagePath(b.slug), JSON_ACCEPT)).body.toString()) as typeof pa;
      expect(pa.data.statusPage.organization.slug).toBe(a.slug);
      expect(pb.data.statusPage.organization.slug).toBe(b.slug);
      expect(pa.data.statusPage.services.map((s) => s.id)).toContain(a.serviceId);
      expect(pa.data.statusPage.services.map((s) => s.id)).not.toContain(b.serviceId);
      expect(pb.data.statusPage.services.map((s) => s.id)).toEqual([b.serviceId]);
      const fa = JSON.parse((await get(t.url, `/api/v2/${a.slug}/components.json`)).body.toString()) as { page: { id: string }; components: { id: string }[] };
      const fb = JSON.parse((await get(t.url, `/api/v2/${b.slug}/components.json`)).body.toString()) as typeof fa;
      expect([fa.page.id, fb.page.id]).toEqual([a.orgId, b.orgId]);
      expect(fb.components.map((c) => c.id)).toEqual([b.serviceId]);
    }
    // A change in A leaves B's tags alone.
    const bTag = (await get(t.url, pagePath(b.slug), JSON_ACCEPT)).headers.etag;
    ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "PARTIAL_OUTAGE" }, { token: a.admin }));
    expect((await get(t.url, pagePath(b.slug), JSON_ACCEPT)).headers.etag).toBe(bTag);
  });

  it("never caches errors or answers that read nothing versioned", async () => {
    const unknown = await get(t.url, pagePath("no-such-page-here"), JSON_ACCEPT);
    expect(JSON.parse(unknown.body.toString())).toEqual({ data: { statusPage: null } });
    expect(unknown.headers.etag).toBeUndefined();
    const invalid = await get(t.url, pagePath(a.slug, "query { statusPage(slug: 1) { nope } }"), JSON_ACCEPT);
    expect(invalid.headers.etag).toBeUndefined();
    expect(JSON.parse(invalid.body.toString())).toHaveProperty("errors");
    const typename = await get(t.url, `/graphql/public?query=${encodeURIComponent("{ __typename }")}`, JSON_ACCEPT);
    expect(typename.headers.etag).toBeUndefined();
    // A page answer is cached, with the public surface's headers.
    const page = await get(t.url, pagePath(a.slug), JSON_ACCEPT);
    expect(page.headers.etag).toBeDefined();
    expect(page.headers["access-control-allow-origin"]).toBe("*");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("never hands a reader who comes after a change a build that read the page before it", async () => {
    // A build whose rows were read before the commit, still finishing when the change's event
    // makes a viewer refetch: that viewer must get a build of its own, or it keeps the old page.
    let slow = false;
    const prisma = t.app.services.db.prisma;
    const slowPrisma = new Proxy(prisma, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== "service") return value;
        const services = value as typeof prisma.service;
        return new Proxy(services, {
          get(model, method, r) {
            const fn: unknown = Reflect.get(model, method, r);
            if (method !== "findMany" || typeof fn !== "function") return fn;
            return async (...args: unknown[]) => {
              const rows: unknown = await (fn as (...a: unknown[]) => Promise<unknown>).apply(model, args);
              if (slow) await new Promise((resolve) => setTimeout(resolve, 400));
              return rows;
            };
          },
        });
      },
    });
    const serviceId = await createService(t, a);
    const pages = new PublishedPages(slowPrisma, createInProcessEventBus(), () => {});
    const statusOf = (snapshot: Awaited<ReturnType<typeof pages.get>>) => snapshot?.page.services.find((s) => s.id === serviceId)?.status;
    expect(statusOf(await pages.get(a.slug))).toBe("OPERATIONAL");
    slow = true;
    pages.invalidate(a.orgId);
    const before = pages.get(a.slug); // reads its rows now, finishes 400 ms later
    await new Promise((resolve) => setTimeout(resolve, 100));
    ok(await t.gql(SET_STATUS, { id: serviceId, status: "MAJOR_OUTAGE" }, { token: a.admin }));
    pages.invalidate(a.orgId); // what the mutation runner's onCommit does on this instance
    const after = pages.get(a.slug);
    expect(statusOf(await before)).toBe("OPERATIONAL");
    expect(statusOf(await after)).toBe("MAJOR_OUTAGE");
    slow = false;
    expect(statusOf(await pages.get(a.slug))).toBe("MAJOR_OUTAGE"); // the older build did not win
    ok(await t.gql(SET_STATUS, { id: serviceId, status: "OPERATIONAL" }, { token: a.admin }));
    pages.close();
  });

  it("keeps memory within its budget, evicting the least recently read pages", async () => {
    const tenants = [a, b, await createTenant(t), await createTenant(t)];
    const pages = new PublishedPages(t.app.services.db.prisma, createInProcessEventBus(), () => {}, { maxBytes: 1 });
    for (const tenant of tenants) expect((await pages.get(tenant.slug))?.page.organization.id).toBe(tenant.orgId);
    // A budget smaller than one page keeps only the last one read.
    expect(pages.stats().pages).toBe(1);
    const kept = await pages.get(tenants[3]!.slug);
    expect(pages.stats().builds).toBe(4);
    expect(kept?.page.organization.id).toBe(tenants[3]!.orgId);
    const roomy = new PublishedPages(t.app.services.db.prisma, createInProcessEventBus(), () => {}, { maxPages: 2 });
    for (const tenant of tenants) await roomy.get(tenant.slug);
    expect(roomy.stats().pages).toBe(2);
    expect(await roomy.get("no-such-page-here")).toBeNull(); // made-up slugs are not kept
    expect(roomy.stats().pages).toBe(2);
    pages.close();
    roomy.close();
  });

  it("re-derives a page from the same rows when its minute ends (time changes uptime, not the log)", async () => {
    let now = Date.now();
    const pages = new PublishedPages(t.app.services.db.prisma, createInProcessEventBus(), () => {}, { now: () => now });
    const first = (await pages.get(a.slug))!;
    expect(await pages.get(a.slug)).toBe(first);
    now += TIME_BUCKET_MS;
    const later = (await pages.get(a.slug))!;
    expect(later.version).not.toBe(first.version);
    expect(later.rows).toBe(first.rows); // no new queries for the rows
    expect(later.asOf.getTime() - first.asOf.getTime()).toBe(TIME_BUCKET_MS);
    expect(pages.stats().builds).toBe(1);
    pages.close();
  });

  it("shows statusPage on /graphql from the same snapshot", async () => {
    const viaAdmin = ok(await t.gql<{ statusPage: { status: { indicator: string } } }>(`query($slug: String!) { statusPage(slug: $slug) { status { indicator } } }`, { slug: a.slug }));
    const summary = JSON.parse((await get(t.url, `/api/v2/${a.slug}/summary.json`)).body.toString()) as { status: { indicator: string } };
    expect(viaAdmin.statusPage.status.indicator.toLowerCase()).toBe(summary.status.indicator);
  });
});

describe.skipIf(!redisUrl)("the public budget with Redis configured", () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await startTestApp({ redisUrl, publicRateLimit: 10 });
    tenant = await createTenant(t);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a fresh second of budget
  });
  afterAll(() => t?.stop());

  it("counts answers from memory in a local budget per instance, with the same per-IP limit", async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => get(t.url, `/api/v2/${tenant.slug}/status.json`)));
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    expect(Number(refused[0]!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(answers.some((r) => r.status === 200)).toBe(true);
  });
});

/** Reads every representation on `app`; returns what each shows of the service's status. */
async function shown(app: TestApp, tenant: Tenant): Promise<string[]> {
  const [graphql, summary, status, feed, badge] = await Promise.all(representations(tenant.slug).map((path) => get(app.url, path, JSON_ACCEPT)));
  const page = JSON.parse(graphql!.body.toString()) as { data: { statusPage: { status: { indicator: string } } } };
  return [
    page.data.statusPage.status.indicator.toLowerCase(),
    (JSON.parse(summary!.body.toString()) as { status: { indicator: string } }).status.indicator,
    (JSON.parse(status!.body.toString()) as { status: { indicator: string } }).status.indicator,
    feed!.status === 200 ? "feed" : "no feed",
    /Partial System Outage/.test(badge!.body.toString()) ? "major" : /Major System Outage/.test(badge!.body.toString()) ? "critical" : "other",
  ];
}

/** Warms every cache on both instances, changes on A, and checks both one second later. */
async function changeShowsWithinASecond(a: TestApp, b: TestApp, tenant: Tenant): Promise<void> {
  for (const app of [a, b]) await shown(app, tenant);
  for (const app of [a, b]) await shown(app, tenant); // served from memory now
  ok(await a.gql(SET_STATUS, { id: tenant.serviceId, status: "PARTIAL_OUTAGE" }, { token: tenant.admin }));
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  for (const app of [a, b]) expect(await shown(app, tenant)).toEqual(["major", "major", "major", "feed", "major"]);
}

describe.skipIf(!databaseUrl || !redisUrl)("two instances over Redis", () => {
  let cluster: Awaited<ReturnType<typeof twoInstances>>;
  beforeAll(async () => void (cluster = await twoInstances(redisUrl)));
  afterAll(() => cluster?.stop());

  it("shows a change made on A in every cached representation on A and B within a second", async () => {
    await changeShowsWithinASecond(cluster.a, cluster.b, await createTenant(cluster.a));
  });
});

describe.skipIf(!databaseUrl)("two instances with Redis stopped", () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
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

  it("still shows a change within a second (the per-second check of the log position)", async () => {
    const tenant = await createTenant(cluster.a);
    await redis.kill();
    await changeShowsWithinASecond(cluster.a, cluster.b, tenant);
  });
});
