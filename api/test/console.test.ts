// /graphql and /graphql/public opened in a browser: the product's own console (the web app,
// which bundles GraphiQL), under the app's strict policy, never Yoga's CDN page; GraphQL
// clients on the same URLs get GraphQL as before (docs/adr/0017).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.ts";

const INDEX = `<!doctype html><html><head><title>Status</title><script type="module" crossorigin src="/assets/index-test.js"></script></head><body><div id="root"></div></body></html>`;
const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

/** Every origin a policy allows besides 'self', data: and same-host sockets. */
function outsideOrigins(csp: string): string[] {
  return csp.split(/[\s;]+/).filter((token) => /^(https?:|wss?:|\*$|[a-z0-9.-]+\.[a-z]{2,})/i.test(token) && !/^wss?:\/\/localhost:\d+$/.test(token));
}

describe("the GraphQL console in a browser", () => {
  let t: TestApp;
  beforeAll(async () => {
    const webDist = mkdtempSync(join(tmpdir(), "statuspage-web-"));
    writeFileSync(join(webDist, "index.html"), INDEX);
    mkdirSync(join(webDist, "assets"));
    writeFileSync(join(webDist, "assets/index-test.js"), "export {};");
    t = await startTestApp({ webDist });
  });
  afterAll(() => t?.stop());

  it.each(["/graphql", "/graphql/public", "/graphql/public?slug=dance"])("serves the web app's console on %s, with no outside origin", async (path) => {
    const answer = await fetch(t.url + path, { headers: BROWSER });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    expect(answer.headers.get("vary")).toMatch(/accept/i);
    const html = await answer.text();
    expect(html).toBe(INDEX); // the product's own page, which loads the console's chunk
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn|https?:\/\//i);
    const csp = answer.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/); // no inline scripts
    expect(csp).toContain("frame-ancestors 'none'");
    expect(outsideOrigins(csp)).toEqual([]);
    expect(answer.headers.get("x-frame-options")).toBe("DENY");
  });

  it("still answers GraphQL clients on the same URLs", async () => {
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent("{ __typename }")}`, { headers: { accept: "application/graphql-response+json" } });
    expect(get.status).toBe(200);
    await expect(get.json()).resolves.toEqual({ data: { __typename: "Query" } });
    const post = await t.gql<{ __typename: string }>(`{ __typename }`, {}, { endpoint: "/graphql/public" });
    expect(post.data).toEqual({ __typename: "Query" });
    // A browser's HTML request for some other path under /graphql is not the console.
    expect((await fetch(`${t.url}/graphql/nothing`, { headers: BROWSER })).headers.get("content-type") ?? "").not.toMatch(/text\/html/);
  });
});

describe("the GraphQL console without a web build", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ webDist: mkdtempSync(join(tmpdir(), "statuspage-no-web-")) });
  });
  afterAll(() => t?.stop());

  it("says how to build it instead of loading GraphiQL from a CDN", async () => {
    const answer = await fetch(`${t.url}/graphql`, { headers: BROWSER });
    expect(answer.status).toBe(503);
    const text = await answer.text();
    expect(text).toContain("npm run build:web");
    expect(text).not.toMatch(/unpkg|cdn|<script/i);
  });
});
