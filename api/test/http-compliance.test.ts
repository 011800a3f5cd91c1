// The HTTP surface: GraphQL-over-HTTP compliance of both endpoints (graphql-http's audit
// suite), what the public endpoint exposes, health and readiness, the console's page, unknown paths.
import { serverAudits } from "graphql-http";
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

describe.each(["/graphql", "/graphql/public"])("GraphQL over HTTP on %s", (path) => {
  // Each audit is a test of its own, so a failure names the rule that broke.
  for (const audit of serverAudits({ url: () => t.url + path, fetchFn: fetch })) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      expect(result.status === "ok" ? "ok" : `${result.status}: ${result.reason}`).toBe("ok");
    });
  }
});

describe("the public endpoint", () => {
  const INTROSPECT = `{ __schema { queryType { fields { name } } mutationType { name } subscriptionType { fields { name } } types { name fields { name } } } }`;
  type Schema = {
    __schema: {
      queryType: { fields: { name: string }[] };
      mutationType: null | { name: string; fields?: { name: string }[] };
      subscriptionType: { fields: { name: string }[] };
      types: { name: string; fields: { name: string }[] | null }[];
    };
  };

  it("shows by introspection only statusPage, statusPageEvents, the email-subscription mutations and public fields", async () => {
    const schema = ok(await t.gql<Schema>(INTROSPECT, {}, { endpoint: "/graphql/public" })).__schema;
    expect(schema.queryType.fields.map((f) => f.name)).toEqual(["statusPage"]);
    // API.md: the four public subscription mutations, nothing else.
    expect(schema.mutationType?.name).toBe("Mutation");
    const mutations = schema.types.find((type) => type.name === "Mutation")?.fields?.map((f) => f.name).sort();
    expect(mutations).toEqual(["confirmSubscription", "subscribeToStatusPage", "unsubscribe", "updateSubscription"]);
    expect(schema.subscriptionType.fields.map((f) => f.name)).toEqual(["statusPageEvents"]);
    const names = schema.types.map((type) => type.name);
    for (const hidden of ["User", "Membership", "ApiToken", "AuditEntry", "Organization", "Webhook", "Subscriber"]) expect(names).not.toContain(hidden);
    const fields = schema.types.flatMap((type) => (type.fields ?? []).map((f) => `${type.name}.${f.name}`));
    for (const hidden of ["members", "apiTokens", "auditLog", "events", "email"]) expect(fields.filter((f) => f.endsWith(`.${hidden}`))).toEqual([]);
  });

  it("ignores a token and refuses private fields", async () => {
    const page = ok(await t.gql<{ statusPage: { organization: { slug: string } } }>(`{ statusPage(slug: "${a.slug}") { organization { slug } } }`, {}, { endpoint: "/graphql/public", token: "garbage" }));
    expect(page.statusPage.organization.slug).toBe(a.slug);
    const refused = await t.gql(`{ organization(slug: "${a.slug}") { members { role } } }`, {}, { endpoint: "/graphql/public" });
    expect(refused.errors?.[0]?.message).toMatch(/organization/);
    expect(refused.data ?? null).toBeNull();
  });
});

describe("service endpoints", () => {
  it("answers /health and /ready", async () => {
    const health = await fetch(`${t.url}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: "ok" }]);
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: "ok", events: "ok" });
  });

  it("answers a browser on /graphql with the product's console, never a CDN's", async () => {
    // 200 with the web app when it is built, 503 saying how to build it otherwise (console.test.ts).
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect([200, 503]).toContain(page.status);
    expect(await page.text()).not.toMatch(/unpkg|jsdelivr|https?:\/\//i);
  });

  it("answers 404 for an unknown path", async () => {
    expect((await fetch(`${t.url}/no/such/page`)).status).toBe(404);
  });

  it("refuses an oversized query with QUERY_TOO_COMPLEX and shows no internals", async () => {
    const deep = `{ viewer { memberships { organization { services { activeIncidents { affectedServices { service { activeIncidents { affectedServices { service { activeIncidents { affectedServices { service { id } } } } } } } } } } } } } }`;
    const result = await t.gql(deep, {}, { token: a.admin });
    expect(result.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    const aliases = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: statusPage(slug: "x") { services { id } }`).join(" ")} }`;
    expect((await t.gql(aliases)).errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+|stack/i);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("a database that drops connections", () => {
  it("keeps serving after PostgreSQL terminates the app's idle connections", async () => {
    const { default: pg } = await import("pg");
    const database = new URL(t.config.databaseUrl!).pathname.slice(1);
    ok(await t.gql(`{ statusPage(slug: "${a.slug}") { status { indicator } } }`, {}, { endpoint: "/graphql/public" }));
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    await admin.end();
    expect(rowCount).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const page = ok(await t.gql<{ statusPage: { organization: { slug: string } } }>(`{ statusPage(slug: "${a.slug}") { organization { slug } } }`, {}, { endpoint: "/graphql/public" }));
    expect(page.statusPage.organization.slug).toBe(a.slug);
  });
});
