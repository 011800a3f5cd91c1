// Custom domains are proven before they serve (docs/adr/0010): a claim (updateOrganization) serves
// nothing; verifyCustomDomain accepts the host once it answers the challenge over HTTP (this server
// answers /.well-known/statuspage-challenge/<token> on the claimed host; *.localhost is loopback)
// or by a DNS TXT record (an injected resolver here); proof moves a domain, by DNS only.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askDns, askHttp, CHALLENGE_PATH } from "../src/modules/orgs/custom-domain.ts";
import { createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type GqlResult, type TestApp } from "./harness.ts";

/** The fake DNS: TXT records by name; anything else is ENODATA, as from a real resolver. */
const txt = new Map<string, string[][]>();
const resolveTxt = (name: string) => {
  const records = txt.get(name);
  if (records) return Promise.resolve(records);
  return Promise.reject(Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: "ENODATA" }));
};

let t: TestApp;
let a: Tenant;
let b: Tenant;
let c: Tenant;
beforeAll(async () => {
  const webDist = mkdtempSync(join(tmpdir(), "statuspage-web-"));
  writeFileSync(join(webDist, "index.html"), "<!doctype html><html><head><title>Status</title></head><body></body></html>");
  // Port 0: the challenge is asked on this server's own port (CUSTOM_DOMAIN_CHECK_PORT=0).
  t = await startTestApp({ statusBaseDomain: "status.test", webDist, customDomainCheckPort: 0 }, { resolveTxt });
  [a, b, c] = [await createTenant(t), await createTenant(t), await createTenant(t)];
});
afterAll(() => t?.stop());

const port = () => Number(new URL(t.url).port);
/** A fresh *.localhost name: loopback, so it reaches this server, and nobody else's. */
const localName = (prefix: string) => `${unique(prefix)}.localhost`;

/** fetch cannot set Host; node:http can. */
function getAs(host: string, path: string, method = "GET"): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: port(), path, method, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

interface OrgDomains {
  customDomain: string | null;
  customDomainVerifiedAt: string | null;
  pendingCustomDomain: string | null;
  customDomainChallenge: { domain: string; token: string; httpUrl: string; dnsName: string; dnsValue: string } | null;
}
const FIELDS = `customDomain customDomainVerifiedAt pendingCustomDomain customDomainChallenge { domain token httpUrl dnsName dnsValue }`;
const CLAIM = `mutation($id: ID!, $d: String) { updateOrganization(input: { id: $id, customDomain: $d }) { ${FIELDS} } }`;
const VERIFY = `mutation($id: ID!) { verifyCustomDomain(organizationId: $id) { ${FIELDS} } }`;
const READ = `query($s: String!) { organization(slug: $s) { ${FIELDS} auditLog(first: 50) { edges { node { action actor } } } } }`;

async function claim(tenant: Tenant, domain: string | null): Promise<OrgDomains> {
  return ok(await t.gql<{ updateOrganization: OrgDomains }>(CLAIM, { id: tenant.orgId, d: domain }, { token: tenant.admin })).updateOrganization;
}
const verify = (tenant: Tenant, token = tenant.admin) => t.gql<{ verifyCustomDomain: OrgDomains }>(VERIFY, { id: tenant.orgId }, { token });
async function read(tenant: Tenant) {
  const org = ok(await t.gql<{ organization: OrgDomains & { auditLog: { edges: { node: { action: string; actor: string } }[] } } }>(READ, { s: tenant.slug }, { token: tenant.admin })).organization;
  return { ...org, actions: org.auditLog.edges.map((e) => e.node.action) };
}
const pageSlugOn = async (host: string) => /<meta name="statuspage-slug" content="([^"]+)"/.exec((await getAs(host, "/")).body)?.[1] ?? null;
const messageOf = (result: GqlResult<unknown>) => result.errors?.[0]?.message ?? "";

describe("claiming a custom domain", () => {
  it("serves nothing: the first claimant of a host (someone else's, say) gets no page until it proves it", async () => {
    const host = localName("claimed");
    const claimed = await claim(b, host.toUpperCase());
    expect(claimed).toMatchObject({ customDomain: null, customDomainVerifiedAt: null, pendingCustomDomain: host });
    const token = claimed.customDomainChallenge!.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(claimed.customDomainChallenge).toEqual({
      domain: host,
      token,
      httpUrl: `http://${host}:${port()}${CHALLENGE_PATH}${token}`,
      dnsName: `_statuspage-challenge.${host}`,
      dnsValue: token,
    });
    expect(await pageSlugOn(host)).toBeNull();
    expect((await getAs(host, "/api/v2/summary.json")).status).toBe(404);
    // A second organisation may claim the same host: claims are not unique, proofs are.
    expect((await claim(c, host)).pendingCustomDomain).toBe(host);
    expect(await pageSlugOn(host)).toBeNull();
  });

  it("keeps the token when the pending host is claimed again, and drops the claim when the verified one is", async () => {
    const host = localName("again");
    const first = await claim(c, host);
    expect((await claim(c, host)).customDomainChallenge?.token).toBe(first.customDomainChallenge?.token);
    expect((await claim(c, localName("other"))).customDomainChallenge?.token).not.toBe(first.customDomainChallenge?.token);
    await claim(c, host);
    ok(await verify(c));
    expect(await claim(c, host)).toMatchObject({ customDomain: host, pendingCustomDomain: null, customDomainChallenge: null });
    // A new claim keeps the verified domain serving until the new one is proven.
    const next = localName("next");
    expect(await claim(c, next)).toMatchObject({ customDomain: host, pendingCustomDomain: next });
    expect(await claim(c, null)).toEqual({ customDomain: null, customDomainVerifiedAt: null, pendingCustomDomain: null, customDomainChallenge: null });
  });

  it("refuses this server's own hosts: <slug>.STATUS_BASE_DOMAIN and the base itself; deeper names are free", async () => {
    for (const host of [`${a.slug}.status.test`, "anything.status.test", "status.test"]) {
      const result = await t.gql(CLAIM, { id: c.orgId, d: host }, { token: c.admin });
      expect(codeOf(result)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.extensions?.field).toBe("customDomain");
    }
    expect((await claim(c, "status.acme.status.test")).pendingCustomDomain).toBe("status.acme.status.test");
    await claim(c, null);
  });
});

describe("the challenge", () => {
  it("is answered in text/plain on the claimed host only, for a pending token only", async () => {
    const host = localName("challenge");
    const { token } = (await claim(c, host)).customDomainChallenge!;
    const answer = await getAs(`${host}:${port()}`, CHALLENGE_PATH + token);
    expect(answer).toMatchObject({ status: 200, body: token });
    expect(answer.type).toMatch(/^text\/plain/);
    expect((await getAs(localName("elsewhere"), CHALLENGE_PATH + token)).status).toBe(404);
    expect((await getAs(host, CHALLENGE_PATH + "x".repeat(32))).status).toBe(404);
    expect((await getAs(host, CHALLENGE_PATH + token, "POST")).status).toBe(404);
    await claim(c, null);
    expect((await getAs(host, CHALLENGE_PATH + token)).status).toBe(404);
  });
});

describe("verifyCustomDomain", () => {
  it("accepts a host that answers the HTTP challenge through <name>.localhost:<port>, which then serves the page", async () => {
    const host = localName("proven");
    await claim(a, host);
    const before = Date.now();
    const verified = ok(await verify(a)).verifyCustomDomain;
    expect(verified).toMatchObject({ customDomain: host, pendingCustomDomain: null, customDomainChallenge: null });
    expect(Date.parse(verified.customDomainVerifiedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(await pageSlugOn(host)).toBe(a.slug);
    expect(JSON.parse((await getAs(host, "/api/v2/status.json")).body)).toMatchObject({ page: { id: a.orgId } });
    expect((await read(a)).actions).toContain("organization.customDomain.verified.http");
  });

  it("refuses a host that does not answer (or answers another token), saying why, and changes nothing", async () => {
    const host = `${unique("nowhere")}.invalid`; // RFC 6761: never resolves
    await claim(c, host);
    txt.set(`_statuspage-challenge.${host}`, [["not-the-token"]]);
    const before = await read(c);
    const refused = await verify(c);
    expect(codeOf(refused)).toBe("BAD_USER_INPUT");
    expect(refused.errors?.[0]?.extensions?.field).toBe("customDomain");
    expect(messageOf(refused)).toMatch(new RegExp(`^${host.replace(/\./g, "\\.")} did not answer the challenge: `));
    expect(messageOf(refused)).toMatch(/HTTP: (the name does not resolve|could not connect|no answer)/);
    expect(messageOf(refused)).toContain(`DNS: the TXT record _statuspage-challenge.${host} does not contain the token`);
    expect(await read(c)).toEqual(before);
  });

  it("accepts the DNS TXT record _statuspage-challenge.<host> instead", async () => {
    const host = `${unique("dns")}.example.com`;
    const { dnsName, dnsValue } = (await claim(c, host)).customDomainChallenge!;
    txt.set(dnsName, [["v=unrelated"], [dnsValue.slice(0, 10), dnsValue.slice(10)]]); // a long record comes in chunks
    expect(ok(await verify(c)).verifyCustomDomain).toMatchObject({ customDomain: host, pendingCustomDomain: null });
    expect((await read(c)).actions).toContain("organization.customDomain.verified.dns");
    await claim(c, null);
  });

  it("moves a domain another organisation serves only by the DNS record: HTTP is answered for every host pointed here", async () => {
    // a serves a *.localhost host (HTTP-proven); b claims it: this server answers b's token there
    // too, so HTTP proves nothing about b, and a localhost name has no DNS: refused.
    const held = localName("held");
    await claim(a, held);
    ok(await verify(a));
    await claim(b, held);
    const refused = await verify(b);
    expect(codeOf(refused)).toBe("BAD_USER_INPUT");
    expect(messageOf(refused)).toMatch(/only the DNS record can move it/);
    expect((await read(a)).customDomain).toBe(held);
    expect((await read(b)).customDomain).toBeNull();

    // A domain a proved by DNS; b publishes its own token in DNS: the domain moves to b.
    const moved = `${unique("moved")}.example.com`;
    txt.set(`_statuspage-challenge.${moved}`, [[(await claim(a, moved)).customDomainChallenge!.token]]);
    ok(await verify(a));
    const bToken = (await claim(b, moved)).customDomainChallenge!.token;
    expect(codeOf(await verify(b))).toBe("BAD_USER_INPUT"); // the record still holds a's token
    expect((await read(a)).customDomain).toBe(moved);
    txt.set(`_statuspage-challenge.${moved}`, [[bToken]]);
    expect(ok(await verify(b)).verifyCustomDomain.customDomain).toBe(moved);
    const loser = await read(a);
    expect(loser).toMatchObject({ customDomain: null, customDomainVerifiedAt: null });
    expect(loser.auditLog.edges[0]?.node).toEqual({ action: "organization.customDomain.lost", actor: "system:custom-domain-proof" });
    expect(await pageSlugOn(moved)).toBe(b.slug);
  });

  it("with nothing claimed is BAD_USER_INPUT on customDomain", async () => {
    await claim(c, null);
    const result = await verify(c);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe("customDomain");
  });

  it("is for the organisation's admins: member FORBIDDEN, another tenant NOT_FOUND, anonymous UNAUTHENTICATED", async () => {
    const host = localName("guarded");
    await claim(c, host);
    expect(codeOf(await verify(c, c.member))).toBe("FORBIDDEN");
    expect(codeOf(await verify(c, c.memberApiToken))).toBe("FORBIDDEN");
    expect(codeOf(await verify(c, a.admin))).toBe("NOT_FOUND");
    expect(codeOf(await t.gql(VERIFY, { id: "no-such-org" }, { token: a.admin }))).toBe("NOT_FOUND");
    expect(codeOf(await t.gql(VERIFY, { id: c.orgId }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.gql(CLAIM, { id: c.orgId, d: localName("x") }, { token: a.admin }))).toBe("NOT_FOUND");
    expect((await read(c)).pendingCustomDomain).toBe(host);
    expect(codeOf(await verify(c, c.adminApiToken))).toBeUndefined();
  });

  it("shows the claim and its challenge to admins only; members see the verified domain", async () => {
    const host = localName("visible");
    await claim(c, host);
    const asMember = await t.gql<{ organization: Partial<OrgDomains> }>(`query($s: String!) { organization(slug: $s) { customDomain pendingCustomDomain } }`, { s: c.slug }, { token: c.member });
    expect(codeOf(asMember)).toBe("FORBIDDEN");
    expect(asMember.data?.organization).toMatchObject({ pendingCustomDomain: null });
    const challenge = await t.gql(`query($s: String!) { organization(slug: $s) { customDomainChallenge { token } } }`, { s: c.slug }, { token: c.member });
    expect(codeOf(challenge)).toBe("FORBIDDEN");
    expect(JSON.stringify(challenge)).not.toMatch(/"token":"[A-Za-z0-9_-]{32}"/);
    expect(ok(await t.gql<{ organization: { customDomain: string | null } }>(`query($s: String!) { organization(slug: $s) { customDomain } }`, { s: c.slug }, { token: c.member })).organization).toBeTruthy();
    // Another tenant's admin does not see the organisation at all.
    expect(ok(await t.gql<{ organization: unknown }>(`query($s: String!) { organization(slug: $s) { id } }`, { s: c.slug }, { token: a.admin })).organization).toBeNull();
    expect((await read(c)).customDomainChallenge?.domain).toBe(host);
  });
});

describe("the HTTP check", () => {
  let server: Server;
  let serverPort: number;
  const token = "t".repeat(32);
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.endsWith("/redirect") || req.headers.host?.startsWith("redirect.")) {
        res.writeHead(302, { location: `http://127.0.0.1:${serverPort}/right` });
        return void res.end();
      }
      if (req.headers.host?.startsWith("right.")) return void res.end(token);
      if (req.headers.host?.startsWith("wrong.")) return void res.end("something else");
      if (req.headers.host?.startsWith("huge.")) return void res.end(token + " ".repeat(100_000));
      if (req.headers.host?.startsWith("slow.")) return; // never answers
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    serverPort = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("takes exactly the token with 200; follows no redirect; reads no more than a little", async () => {
    expect(await askHttp("right.localhost", token, serverPort)).toBeNull();
    expect(await askHttp("wrong.localhost", token, serverPort)).toBe("answered something other than the token");
    expect(await askHttp("redirect.localhost", token, serverPort)).toMatch(/redirect \(HTTP 302\), which is not followed/);
    expect(await askHttp("huge.localhost", token, serverPort)).toBe("answered more than the token");
    expect(await askHttp("missing.localhost", token, serverPort)).toBe("answered HTTP 404 instead of 200");
  });

  it("gives up after 3 s", async () => {
    const started = Date.now();
    expect(await askHttp("slow.localhost", token, serverPort)).toBe("no answer within 3 s");
    expect(Date.now() - started).toBeLessThan(4_500);
  });
});

describe("the DNS check", () => {
  it("finds the token among the TXT records of _statuspage-challenge.<host>, joining chunks", async () => {
    const records: Record<string, string[][]> = { "_statuspage-challenge.acme.example": [["other"], ["tok", "en"]] };
    const resolver = (name: string) =>
      records[name] ? Promise.resolve(records[name]) : Promise.reject(Object.assign(new Error("nope"), { code: name.includes("slow") ? "ETIMEOUT" : "ENOTFOUND" }));
    expect(await askDns("acme.example", "token", resolver)).toBeNull();
    expect(await askDns("acme.example", "nekot", resolver)).toBe("the TXT record _statuspage-challenge.acme.example does not contain the token");
    expect(await askDns("other.example", "token", resolver)).toBe("no TXT record _statuspage-challenge.other.example");
    expect(await askDns("slow.example", "token", resolver)).toMatch(/no answer .* within 3 s/);
    expect(await askDns("x.localhost", "token", resolver)).toMatch(/localhost name/);
  });
});
