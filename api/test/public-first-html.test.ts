// The public pages' first HTML (docs/adr/0016): the page rendered with its current state and the
// answer to the app's own query embedded (equal to what a GET of that query answers), built once
// per version with an ETag that follows the content, 304s, escaped user text, no other tenant's
// data, 404s for unknown pages (path and page host) and incidents (unknown, foreign, deleted),
// incident pages with their whole timeline, shortlinks that lead to them, and versioned GETs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, signUp, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";
import { pageRequest } from "../src/modules/public/page-request.ts";
import { encodeCursor } from "../src/modules/events/cursor.ts";

const HOSTILE = `Ev'il "</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> &amp; \u2028 end`;
const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const OPEN = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`;
const UPDATE = `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`;

let t: TestApp;
let a: Tenant;
let b: Tenant;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with any Host (fetch cannot set it), bytes as they came. */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The JSON data block the app reads. */
function embedded(html: string): { operation: string; variables: Record<string, string>; result: { data: Record<string, unknown> } } {
  const text = /<script type="application\/json" id="statuspage-state">([^<]*)<\/script>/.exec(html)?.[1];
  if (!text) throw new Error("no embedded state");
  return JSON.parse(text) as ReturnType<typeof embedded>;
}

/** What the page shows, without tags: what a reader without JavaScript reads. */
const readable = (html: string) =>
  (/<div id="root">([\s\S]*?)<\/div>(<script type="application\/json"|<\/body>)/.exec(html)?.[1] ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

beforeAll(async () => {
  // A stand-in for the built app: the page is rendered into its #root, its script tag kept.
  const webDist = mkdtempSync(join(tmpdir(), "statuspage-web-"));
  writeFileSync(
    join(webDist, "index.html"),
    `<!doctype html><html lang="en"><head><meta name="description" content="x" /><title>Status</title><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>`,
  );
  t = await startTestApp({ statusBaseDomain: "status.test", webDist });
  a = await createTenant(t);
  b = await createTenant(t);
});
afterAll(() => t?.stop());

describe("the status page's first HTML", () => {
  it("shows the current state without JavaScript and embeds exactly the answer the app's own query gets", async () => {
    const incident = ok(await t.gql<{ createIncident: { id: string } }>(OPEN, { input: { serviceIds: [a.serviceId], title: "Slow logins", message: "Looking into it", impact: "PARTIAL_OUTAGE" } }, { token: a.admin })).createIncident.id;
    const page = await get(`/status/${a.slug}`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("public, max-age=1, stale-while-revalidate=5");
    expect(page.body).toContain(`<script type="module" src="/assets/app.js"></script>`);
    const text = readable(page.body);
    expect(text).toContain("Partial System Outage");
    expect(text).toContain("API Partial outage");
    expect(text).toContain("Slow logins");
    expect(text).toContain("Looking into it");
    expect(page.body).toContain(`href="/status/${a.slug}/incidents/${incident}"`);

    const state = embedded(page.body);
    expect(state).toMatchObject({ operation: "StatusPage", variables: { slug: a.slug } });
    const app = pageRequest("StatusPage", { slug: a.slug });
    const answer = await get(app.url, { accept: app.accept });
    expect(answer.status).toBe(200);
    expect(state.result).toEqual(JSON.parse(answer.body));
    ok(await t.gql(UPDATE, { input: { id: incident, status: "RESOLVED", message: "Fixed" } }, { token: a.admin }));
  });

  it("is built once per version: an ETag that changes when and only when the content does, and 304s", async () => {
    const first = await get(`/status/${a.slug}`);
    const executions = t.app.services.answers.executions;
    const again = await Promise.all(Array.from({ length: 20 }, () => get(`/status/${a.slug}`)));
    expect(again.every((r) => r.headers.etag === first.headers.etag && r.body === first.body)).toBe(true);
    expect(t.app.services.answers.executions).toBe(executions); // from memory, no GraphQL work
    const conditional = await get(`/status/${a.slug}`, { "if-none-match": first.headers.etag as string });
    expect(conditional.status).toBe(304);
    expect(conditional.body).toBe("");
    const br = await get(`/status/${a.slug}`, { "accept-encoding": "gzip, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect((await get(`/status/${a.slug}`, { "if-none-match": br.headers.etag as string })).status).toBe(304);

    ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "MAJOR_OUTAGE" }, { token: a.admin }));
    const changed = await get(`/status/${a.slug}`);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
    expect(readable(changed.body)).toContain("Major outage");
    expect((await get(`/status/${a.slug}`, { "if-none-match": first.headers.etag as string })).status).toBe(200);
    ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "OPERATIONAL" }, { token: a.admin }));
  });

  it("escapes user-written text everywhere, and the embedded answer still reads back exactly", async () => {
    const evil = await signUp(t, HOSTILE);
    const service = ok(await t.gql<{ createService: { id: string } }>(`mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, { input: { organizationId: evil.orgId, name: HOSTILE, description: HOSTILE, group: HOSTILE } }, { token: evil.token })).createService.id;
    const incident = ok(await t.gql<{ createIncident: { id: string } }>(OPEN, { input: { serviceIds: [service], title: HOSTILE, message: HOSTILE, impact: "MAJOR_OUTAGE" } }, { token: evil.token })).createIncident.id;
    for (const path of [`/status/${evil.slug}`, `/status/${evil.slug}/incidents/${incident}`]) {
      const page = await get(path);
      expect(page.status).toBe(200);
      // One script element only: the app's own (and the data block, which is not run).
      expect(page.body.match(/<script/g)).toHaveLength(2);
      expect(page.body).not.toContain("<img");
      expect(page.body).not.toContain("<!-- <img");
      const block = /id="statuspage-state">([^<]*)<\/script>/.exec(page.body)![1]!;
      expect(block).not.toMatch(/[<>&\u2028]/); // nothing in the data block can end it or open a comment
      expect(page.body).toContain("Ev&#39;il &quot;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
      const state = embedded(page.body).result.data.statusPage as { organization: { name: string }; incident?: { title: string } };
      expect(state.organization.name).toBe(HOSTILE);
      if (path.includes("/incidents/")) expect(state.incident?.title).toBe(HOSTILE);
    }
  });

  it("never shows another organisation's data", async () => {
    const secret = ok(await t.gql<{ createIncident: { id: string } }>(OPEN, { input: { serviceIds: [b.serviceId], title: "B's own trouble", message: "only B", impact: "MAJOR_OUTAGE" } }, { token: b.admin })).createIncident.id;
    const page = await get(`/status/${a.slug}`);
    expect(page.body).not.toContain("B's own trouble");
    expect(page.body).not.toContain(secret);
    const foreign = await get(`/status/${a.slug}/incidents/${secret}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).not.toContain("B's own trouble");
    expect((await get(`/status/${b.slug}/incidents/${secret}`)).status).toBe(200);
  });

  it("answers an unknown page 404 with a readable page, on the status path and on page hosts", async () => {
    for (const [path, host] of [["/status/no-such-page", "localhost"], ["/status/no-such-page/incidents/x", "localhost"], ["/", "no-such-page.status.test"], ["/incidents/x", "no-such-page.status.test"]] as const) {
      const page = await get(path, { host });
      expect(page.status, `${host}${path}`).toBe(404);
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(readable(page.body)).toContain("No status page is called “no-such-page”.");
      // The app shows its own "not found" from this answer, without asking again.
      expect(embedded(page.body).result).toEqual({ data: { statusPage: null } });
    }
  });

  it("serves the page at the root of its page host, naming its slug for the app and linking within the host", async () => {
    const page = await get("/", { host: `${a.slug}.status.test` });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<meta name="statuspage-slug" content="${a.slug}" />`);
    expect(page.body).toContain(`href="/feed.atom"`);
    expect(page.body).toContain(`href="/api/v2/summary.json"`);
    expect(embedded(page.body).variables).toEqual({ slug: a.slug });
    expect((await get(`/status/${a.slug}`)).body).not.toContain("statuspage-slug");
  });
});

describe("incident pages", () => {
  let incident: string;
  beforeAll(async () => {
    incident = ok(await t.gql<{ createIncident: { id: string } }>(OPEN, { input: { serviceIds: [a.serviceId], title: "Payments failing", message: "First: investigating", impact: "MAJOR_OUTAGE" } }, { token: a.admin })).createIncident.id;
    ok(await t.gql(UPDATE, { input: { id: incident, status: "IDENTIFIED", message: "Second: found it" } }, { token: a.admin }));
    ok(await t.gql(UPDATE, { input: { id: incident, status: "MONITORING", message: "Third: watching" } }, { token: a.admin }));
  });

  it("shows the whole timeline, on the path and on the page host, with the answer embedded", async () => {
    for (const [path, host] of [[`/status/${a.slug}/incidents/${incident}`, "localhost"], [`/incidents/${incident}`, `${a.slug}.status.test`]] as const) {
      const page = await get(path, { host });
      expect(page.status).toBe(200);
      const text = readable(page.body);
      for (const message of ["First: investigating", "Second: found it", "Third: watching"]) expect(text).toContain(message);
      expect(text.indexOf("Third: watching")).toBeLessThan(text.indexOf("First: investigating")); // newest first
      const state = embedded(page.body);
      expect(state).toMatchObject({ operation: "IncidentPage", variables: { slug: a.slug, id: incident } });
      const app = pageRequest("IncidentPage", { slug: a.slug, id: incident });
      expect(state.result).toEqual(JSON.parse((await get(app.url, { accept: app.accept })).body));
    }
  });

  it("follows a change, and answers 404 for an unknown, a deleted, and a made-up id", async () => {
    const before = await get(`/status/${a.slug}/incidents/${incident}`);
    ok(await t.gql(UPDATE, { input: { id: incident, status: "RESOLVED", message: "Fourth: resolved" } }, { token: a.admin }));
    const after = await get(`/status/${a.slug}/incidents/${incident}`);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(readable(after.body)).toContain("Fourth: resolved");

    const doomed = ok(await t.gql<{ createIncident: { id: string } }>(OPEN, { input: { serviceIds: [a.serviceId], title: "Doomed", message: "x", impact: "DEGRADED_PERFORMANCE" } }, { token: a.admin })).createIncident.id;
    expect((await get(`/status/${a.slug}/incidents/${doomed}`)).status).toBe(200);
    ok(await t.gql(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id: doomed }, { token: a.admin }));
    for (const id of [doomed, "01900000-0000-7000-8000-000000000000", "x".repeat(150), "%E0%A4%A"]) {
      const page = await get(`/status/${a.slug}/incidents/${id}`);
      expect(page.status, id).toBe(404);
      expect(readable(page.body)).toMatch(/no such incident/);
    }
  });

  it("is where the shortlinks of summary.json, incidents.json and the feeds lead", async () => {
    const summary = JSON.parse((await get(`/api/v2/${a.slug}/incidents.json`)).body) as { incidents: { id: string; shortlink: string }[] };
    const link = summary.incidents.find((i) => i.id === incident)!.shortlink;
    expect(new URL(link).pathname).toBe(`/status/${a.slug}/incidents/${incident}`);
    expect((await get(new URL(link).pathname)).status).toBe(200);
    expect((await get(`/status/${a.slug}/feed.atom`)).body).toContain(`/status/${a.slug}/incidents/${incident}"`);
    expect((await get(`/status/${a.slug}/feed.rss`)).body).toContain(`/status/${a.slug}/incidents/${incident}</link>`);
    const onHost = JSON.parse((await get("/api/v2/incidents.json", { host: `${a.slug}.status.test` })).body) as { incidents: { id: string; shortlink: string }[] };
    expect(onHost.incidents.find((i) => i.id === incident)!.shortlink).toBe(`http://${a.slug}.status.test/incidents/${incident}`);
  });
});

describe("the page request", () => {
  it("is exactly the GET the web app's urql client sends for the page's query", async () => {
    // The app's own client (web/src/client.ts), handed a fetch that records instead of sending.
    // Loaded by path: the web sources are type-checked by web/tsconfig.json, against the DOM.
    const web = (file: string) => join(import.meta.dirname, "../../web/src", file);
    type Query = (document: unknown, variables: unknown, context: unknown) => { toPromise(): Promise<unknown> };
    const { publicClient } = (await import(web("client.ts"))) as { publicClient: { query: Query } };
    const { STATUS_PAGE, INCIDENT_PAGE } = (await import(web("page-queries.ts"))) as { STATUS_PAGE: unknown; INCIDENT_PAGE: unknown };
    const sent: { url: string; accept: string | null }[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: typeof input === "string" ? input : input instanceof URL ? input.href : input.url, accept: new Headers(init?.headers).get("accept") });
      return Promise.resolve(new Response('{"data":null}', { headers: { "content-type": "application/json" } }));
    };
    try {
      await publicClient.query(STATUS_PAGE, { slug: "dance" }, { requestPolicy: "network-only" }).toPromise();
      await publicClient.query(INCIDENT_PAGE, { slug: "dance", id: "i-1" }, { requestPolicy: "network-only" }).toPromise();
    } finally {
      globalThis.fetch = realFetch;
    }
    const expected = [pageRequest("StatusPage", { slug: "dance" }), pageRequest("IncidentPage", { slug: "dance", id: "i-1" })];
    expect(sent).toEqual(expected.map((r) => ({ url: r.url, accept: r.accept })));
    expect(sent.every((r) => r.url.startsWith("/graphql/public?query="))).toBe(true); // a GET, whatever its length
  });
});

describe("versioned GETs (v=<cursor>)", () => {
  it("answers a version the page has reached as cacheable under its URL, a later one not", async () => {
    const app = pageRequest("StatusPage", { slug: a.slug });
    const plain = await get(app.url, { accept: app.accept });
    const cursor = (JSON.parse(plain.body) as { data: { statusPage: { cursor: string } } }).data.statusPage.cursor;
    const at = (v: string) => get(app.url.replace("?", `?v=${v}&`), { accept: app.accept });
    const reached = await at(cursor);
    expect(reached.status).toBe(200);
    expect(reached.body).toBe(plain.body);
    expect(reached.headers["cache-control"]).toBe("public, max-age=60, immutable");
    const ahead = await at(encodeCursor(BigInt(cursor) + 1000n));
    expect(ahead.body).toBe(plain.body);
    expect(ahead.headers["cache-control"]).toBe("no-store");
  });
});
