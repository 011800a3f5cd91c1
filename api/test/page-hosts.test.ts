// Page hosts: <slug>.<STATUS_BASE_DOMAIN> and custom domains serve their page at the root, with
// the Statuspage files where Statuspage clients look for them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  // A stand-in for the built app, so this suite does not depend on (or race) the web build.
  const webDist = mkdtempSync(join(tmpdir(), "statuspage-web-"));
  writeFileSync(join(webDist, "index.html"), "<!doctype html><html><head><title>Status</title></head><body></body></html>");
  t = await startTestApp({ statusBaseDomain: "status.test", webDist });
  a = await createTenant(t);
  b = await createTenant(t);
});
afterAll(() => t?.stop());

/** fetch cannot set Host; node:http can. */
function getAs(host: string, path: string): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

const UPDATE = `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { customDomain pendingCustomDomain } }`;

describe("page hosts", () => {
  it("serves <slug>.<STATUS_BASE_DOMAIN>: the Statuspage files at the root", async () => {
    const summary = await getAs(`${a.slug}.status.test`, "/api/v2/summary.json");
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.body)).toMatchObject({ page: { id: a.orgId, url: `http://${a.slug}.status.test` } });
    expect((await getAs(`${a.slug}.status.test:8080`, "/badge.svg")).type).toMatch(/svg/);
    expect((await getAs(`${a.slug}.status.test`, "/feed.atom")).type).toMatch(/atom/);
    expect((await getAs("nobody.status.test", "/api/v2/summary.json")).status).toBe(404);
  });

  it("serves the page at the root with the page's own headers, built and then from memory: framable, its CSP naming that host", async () => {
    for (const round of ["built", "from memory"]) {
      const page = await getAs(`${a.slug}.status.test`, "/");
      expect(page.status, round).toBe(200);
      expect(page.headers["x-frame-options"], round).toBeUndefined();
      expect(page.headers["content-security-policy"], round).toContain("frame-ancestors *");
      expect(page.headers["content-security-policy"], round).toContain(`ws://${a.slug}.status.test`);
      expect(page.headers["x-content-type-options"], round).toBe("nosniff");
      expect(page.headers["access-control-allow-origin"], round).toBe("*");
    }
    // Each host its own policy (the CSP names the host asked): none leaks into another's answer.
    expect((await getAs(`${b.slug}.status.test`, "/")).headers["content-security-policy"]).toContain(`ws://${b.slug}.status.test`);
  });

  it("lets an admin claim a custom domain, which serves nothing until proven (custom-domains.test.ts); a member may not", async () => {
    expect(ok(await t.gql<{ updateOrganization: unknown }>(UPDATE, { input: { id: a.orgId, customDomain: "Status.Acme.Example" } }, { token: a.admin })).updateOrganization).toEqual({
      customDomain: null,
      pendingCustomDomain: "status.acme.example",
    });
    expect(codeOf(await t.gql(UPDATE, { input: { id: a.orgId, customDomain: "x.example" } }, { token: a.member }))).toBe("FORBIDDEN");
    expect(codeOf(await t.gql(UPDATE, { input: { id: a.orgId, customDomain: "x.example" } }, { token: b.admin }))).toBe("NOT_FOUND");
    // Claims are not exclusive (the first claimant no longer wins a host): proof is.
    expect(ok(await t.gql<{ updateOrganization: unknown }>(UPDATE, { input: { id: b.orgId, customDomain: "status.acme.example" } }, { token: b.admin })).updateOrganization).toEqual({
      customDomain: null,
      pendingCustomDomain: "status.acme.example",
    });
    expect((await t.gql(UPDATE, { input: { id: b.orgId, customDomain: "https://bad/path" } }, { token: b.admin })).errors?.[0]?.extensions?.field).toBe("customDomain");
    expect((await getAs("status.acme.example", "/api/v2/status.json")).status).toBe(404);
    expect((await getAs("status.acme.example", "/")).body).not.toContain("statuspage-slug");
  });

  it("serves the app at / on a page host, naming the page", async () => {
    const page = await getAs(`${b.slug}.status.test`, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<meta name="statuspage-slug" content="${b.slug}"`);
    expect((await getAs("localhost", "/")).body).not.toContain("statuspage-slug");
  });

  it("serves the app's HTML for the subscription pages the mails link to, on the status path and on page hosts", async () => {
    for (const path of [`/status/${a.slug}/subscription/confirm?token=abc`, `/status/${a.slug}/subscription?token=abc`]) {
      const page = await getAs("localhost", path);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/html/);
      expect(page.body).toContain('<div id="root">');
      expect(page.body).not.toContain("statuspage-slug");
      // The token is in the address: not kept, not passed on, not framed.
      expect(page.headers).toMatchObject({ "cache-control": "no-store", "referrer-policy": "no-referrer", "x-frame-options": "DENY" });
    }
    for (const path of ["/subscription/confirm?token=abc", "/subscription?token=abc", `/status/${b.slug}/subscription/confirm?token=abc`]) {
      const page = await getAs(`${b.slug}.status.test`, path);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<meta name="statuspage-slug" content="${b.slug}"`);
    }
    // Only the two pages: the main host has no /subscription, and nothing deeper is one.
    expect((await getAs("localhost", "/subscription/confirm")).status).toBe(404);
    expect((await getAs("localhost", `/status/${a.slug}/subscription/other`)).status).toBe(404);
  });
});
