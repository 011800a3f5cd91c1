// Webhooks as a receiver sees them (issue 12): a local HTTP server gets signed deliveries of the
// events, retried with backoff (shortened through the config, not by faking time), in order,
// once across two instances and across a restart; Slack's format reads well; internal targets
// are refused. Runs on PostgreSQL + Redis when TEST_DATABASE_URL/TEST_REDIS_URL are set, and on PGlite.
import { createHmac } from "node:crypto";
import { lookup } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "../src/config.ts";
import { isPublicAddress } from "../src/modules/webhooks/domain.ts";
import { twoInstances, waitUntil } from "./cluster-kit.ts";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type TestApp } from "./harness.ts";

// ---------------------------------------------------------------- a receiver

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  at: number;
}

/** A local webhook receiver: records every request; each path answers from its own script. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: Server;
  base = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const path = req.url ?? "/";
        this.requests.push({ path, headers: req.headers, raw, body: JSON.parse(raw || "{}") as Record<string, unknown>, at: Date.now() });
        const script = this.scripts.get(path) ?? [];
        const status = script.length > 1 ? script.shift()! : (script[0] ?? 200);
        res.writeHead(status, status >= 300 && status < 400 ? { location: `${this.base}/elsewhere` } : {});
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A fresh path; it answers the given statuses in turn, the last one forever after. */
  hook(...statuses: number[]): { url: string; path: string; got: () => Received[] } {
    const path = `/${unique("hook")}`;
    this.scripts.set(path, statuses.length > 0 ? statuses : [200]);
    return { url: this.base + path, path, got: () => this.requests.filter((r) => r.path === path) };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- calls

interface Delivery {
  id: string;
  eventCursor: string;
  attempt: number;
  responseStatus: number | null;
  succeeded: boolean;
  durationMs: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}
interface WebhookView {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  deliveries: Delivery[];
}

const DELIVERY = "id eventCursor attempt responseStatus succeeded durationMs error nextAttemptAt";

async function createWebhook(t: TestApp, org: Tenant, url: string, kinds: string[], format = "JSON") {
  return ok(
    await t.gql<{ createWebhook: { secret: string; webhook: { id: string } } }>(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url kinds format enabled } } }`,
      { input: { organizationId: org.orgId, url, kinds, format } },
      { token: org.admin },
    ),
  ).createWebhook;
}

async function webhooks(t: TestApp, org: Tenant): Promise<WebhookView[]> {
  return ok(
    await t.gql<{ organization: { webhooks: WebhookView[] } }>(
      `query($slug: String!) { organization(slug: $slug) { webhooks { id url enabled disabledReason deliveries(first: 50) { ${DELIVERY} } } } }`,
      { slug: org.slug },
      { token: org.admin },
    ),
  ).organization.webhooks;
}

async function webhook(t: TestApp, org: Tenant, id: string): Promise<WebhookView> {
  const found = (await webhooks(t, org)).find((w) => w.id === id);
  if (!found) throw new Error(`webhook ${id} not listed`);
  return found;
}

async function setStatus(t: TestApp, org: Tenant, serviceId: string, status: string) {
  ok(await t.gql(`mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id } }`, { input: { id: serviceId, status } }, { token: org.admin }));
}

async function createIncident(t: TestApp, org: Tenant, serviceId: string, title: string) {
  return ok(
    await t.gql<{ createIncident: { id: string } }>(
      `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
      { input: { serviceIds: [serviceId], title, message: "We are looking into elevated error rates.", impact: "PARTIAL_OUTAGE" } },
      { token: org.admin },
    ),
  ).createIncident.id;
}

const hmac = (secret: string, raw: string) => "sha256=" + createHmac("sha256", secret).update(raw).digest("hex");
const cursors = (requests: Received[]) => requests.map((r) => r.body.cursor as string);

/** Waits for a condition the test can see without a query (what the receiver got). */
const until = (check: () => boolean, timeoutMs?: number) => waitUntil(() => Promise.resolve(check()), timeoutMs);

const FAST: Partial<AppConfig> = {
  allowPrivateWebhooks: true,
  webhooks: { firstRetryMs: 150, maxAttempts: 3, timeoutMs: 3_000, pollIntervalMs: 100 },
};

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());

// ---------------------------------------------------------------- one instance

describe("webhook deliveries", () => {
  let t: TestApp;
  let org: Tenant;
  beforeAll(async () => {
    t = await startTestApp({ ...FAST, redisUrl: process.env.TEST_REDIS_URL || undefined });
    org = await createTenant(t);
  });
  afterAll(() => t.stop());

  it("a receiver gets a correctly signed delivery soon after a change", async () => {
    const hook = receiver.hook(200);
    const { secret, webhook: created } = await createWebhook(t, org, hook.url, ["INCIDENT_CREATED"]);
    expect(secret).toMatch(/^whsec_/);
    const incidentId = await createIncident(t, org, org.serviceId, "Elevated errors");
    await until(() => hook.got().length === 1, 5_000);
    const [request] = hook.got();
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["x-statuspage-event"]).toBe("INCIDENT_CREATED");
    expect(request!.headers["x-statuspage-signature"]).toBe(hmac(secret, request!.raw));
    expect(request!.body).toMatchObject({
      kind: "INCIDENT_CREATED",
      organization: { slug: org.slug },
      incident: { id: incidentId, title: "Elevated errors", status: "INVESTIGATING", url: `${t.url}/status/${org.slug}/incidents/${incidentId}` },
    });
    expect(request!.body.cursor).toMatch(/^\d{16}$/);
    // The header names the recorded attempt.
    await waitUntil(async () => (await webhook(t, org, created.id)).deliveries.length === 1);
    const [delivery] = (await webhook(t, org, created.id)).deliveries;
    expect(delivery).toMatchObject({ id: request!.headers["x-statuspage-delivery"], eventCursor: request!.body.cursor, attempt: 1, responseStatus: 200, succeeded: true, nextAttemptAt: null });
    // The secret is never shown again.
    const again = await t.gql(`query($slug: String!) { organization(slug: $slug) { webhooks { secret } } }`, { slug: org.slug }, { token: org.admin });
    expect(codeOf(again)).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("500 twice, then 200: the event arrives on the third attempt and every attempt is recorded", async () => {
    const hook = receiver.hook(500, 500, 200);
    const { webhook: created } = await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    await setStatus(t, org, org.serviceId, "DEGRADED_PERFORMANCE");
    await waitUntil(async () => (await webhook(t, org, created.id)).deliveries.some((d) => d.succeeded), 10_000);
    const got = hook.got();
    expect(got).toHaveLength(3);
    expect(new Set(cursors(got)).size).toBe(1); // the same event each time
    expect(new Set(got.map((r) => r.headers["x-statuspage-delivery"])).size).toBe(3);
    const deliveries = [...(await webhook(t, org, created.id)).deliveries].reverse();
    expect(deliveries.map((d) => [d.attempt, d.responseStatus, d.succeeded])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    expect(deliveries[0]!.error).toBe("HTTP 500");
    expect(deliveries[0]!.nextAttemptAt).not.toBeNull();
    expect(deliveries[2]!.nextAttemptAt).toBeNull();
    expect(deliveries.map((d) => d.id)).toEqual(got.map((r) => r.headers["x-statuspage-delivery"]));
  });

  it("delivers in log order: a failing event holds back the ones after it", async () => {
    const hook = receiver.hook(500, 200);
    await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    const service = await createService(t, org, unique("ordered"));
    for (const status of ["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"]) await setStatus(t, org, service, status);
    await until(() => hook.got().length === 5, 10_000);
    const order = cursors(hook.got());
    expect(order[0]).toBe(order[1]); // the failed one first, again
    expect(order.slice(1)).toEqual([...order.slice(1)].sort());
    expect(new Set(order.slice(1)).size).toBe(4);
    expect(hook.got().map((r) => (r.body.serviceStatus as string))).toEqual(["DEGRADED_PERFORMANCE", "DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"]);
  });

  it("is disabled after the last attempt, with the reason; enabling resumes with new events", async () => {
    const hook = receiver.hook(503);
    const { webhook: created } = await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    const service = await createService(t, org, unique("failing"));
    await setStatus(t, org, service, "PARTIAL_OUTAGE");
    await waitUntil(async () => !(await webhook(t, org, created.id)).enabled, 10_000);
    const disabled = await webhook(t, org, created.id);
    expect(disabled.disabledReason).toMatch(/3 failed attempts .*HTTP 503/);
    expect(disabled.deliveries.map((d) => d.attempt)).toEqual([3, 2, 1]);
    expect(disabled.deliveries[0]!.nextAttemptAt).toBeNull();
    expect(hook.got()).toHaveLength(3);

    // Off: a change is not sent. On again (the receiver fixed): the next change is.
    await setStatus(t, org, service, "MAJOR_OUTAGE");
    const fixed = receiver.hook(200);
    const enabled = ok(
      await t.gql<{ updateWebhook: { enabled: boolean; disabledReason: string | null } }>(
        `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { enabled disabledReason } }`,
        { input: { id: created.id, url: fixed.url, enabled: true } },
        { token: org.admin },
      ),
    ).updateWebhook;
    expect(enabled).toEqual({ enabled: true, disabledReason: null });
    await setStatus(t, org, service, "OPERATIONAL");
    await until(() => fixed.got().length === 1, 5_000);
    expect(fixed.got()[0]!.body.serviceStatus).toBe("OPERATIONAL"); // not the MAJOR_OUTAGE of while it was off
    expect(hook.got()).toHaveLength(3);
  });

  it("a Slack-format webhook posts a readable message with a link to the incident", async () => {
    const hook = receiver.hook(200);
    await createWebhook(t, org, hook.url, ["INCIDENT_CREATED"], "SLACK");
    const service = await createService(t, org, "Checkout");
    const incidentId = await createIncident(t, org, service, "Payments failing");
    await until(() => hook.got().length === 1, 5_000);
    const { body, headers } = hook.got()[0]!;
    expect(headers["x-statuspage-signature"]).toBeUndefined();
    const orgName = ok(await t.gql<{ organization: { name: string } }>(`query($slug: String!) { organization(slug: $slug) { name } }`, { slug: org.slug }, { token: org.admin })).organization.name;
    expect(body.text).toBe(`[${orgName}] New incident: Payments failing — Investigating`);
    const section = JSON.stringify(body.blocks);
    expect(section).toContain(`<${t.url}/status/${org.slug}/incidents/${incidentId}|New incident: Payments failing>`);
    expect(section).toContain("*Affected services:* Checkout (partial outage)");
    expect(section).toContain(">We are looking into elevated error rates.");
  });

  it("an admin sends a test event and redelivers an attempt", async () => {
    const hook = receiver.hook(200);
    const { secret, webhook: created } = await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    const test = ok(await t.gql<{ sendTestWebhook: Delivery }>(`mutation($id: ID!) { sendTestWebhook(id: $id) { ${DELIVERY} } }`, { id: created.id }, { token: org.admin })).sendTestWebhook;
    expect(test).toMatchObject({ eventCursor: "0000000000000000", attempt: 1, responseStatus: 200, succeeded: true, nextAttemptAt: null });
    expect(hook.got()[0]!.headers["x-statuspage-event"]).toBe("TEST");
    expect(hook.got()[0]!.headers["x-statuspage-signature"]).toBe(hmac(secret, hook.got()[0]!.raw));

    await setStatus(t, org, org.serviceId, "MAJOR_OUTAGE");
    await until(() => hook.got().length === 2, 5_000);
    const event = (await webhook(t, org, created.id)).deliveries.find((d) => d.eventCursor !== "0000000000000000")!;
    const again = ok(await t.gql<{ redeliverWebhook: Delivery }>(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { ${DELIVERY} } }`, { id: event.id }, { token: org.admin })).redeliverWebhook;
    expect(again).toMatchObject({ eventCursor: event.eventCursor, attempt: 2, succeeded: true });
    expect(hook.got().map((r) => r.body.cursor)).toEqual(["0000000000000000", event.eventCursor, event.eventCursor]);
    expect(hook.got()[2]!.headers["x-statuspage-delivery"]).toBe(again.id);
  });

  it("never follows a redirect", async () => {
    const hook = receiver.hook(302);
    const { webhook: created } = await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    const test = ok(await t.gql<{ sendTestWebhook: Delivery }>(`mutation($id: ID!) { sendTestWebhook(id: $id) { ${DELIVERY} } }`, { id: created.id }, { token: org.admin })).sendTestWebhook;
    expect(test).toMatchObject({ responseStatus: 302, succeeded: false, error: "HTTP 302 (redirects are not followed)" });
    expect(receiver.requests.filter((r) => r.path === "/elsewhere")).toHaveLength(0);
  });

  it("refuses bad input with the field at fault and changes nothing", async () => {
    const before = (await webhooks(t, org)).length;
    const call = (input: Record<string, unknown>) =>
      t.gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`, { input: { organizationId: org.orgId, ...input } }, { token: org.admin });
    for (const [input, field] of [
      [{ url: "ftp://hooks.example.com/", kinds: ["INCIDENT_CREATED"] }, "url"],
      [{ url: "https://user:secret@hooks.example.com/", kinds: ["INCIDENT_CREATED"] }, "url"],
      [{ url: "not a url", kinds: ["INCIDENT_CREATED"] }, "url"],
      [{ url: "https://hooks.example.com/", kinds: [] }, "kinds"],
    ] as const) {
      const result = await call(input);
      expect(codeOf(result), JSON.stringify(input)).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await webhooks(t, org)).toHaveLength(before);
  });

  it("deleteWebhook stops deliveries and removes it from the list", async () => {
    const hook = receiver.hook(200);
    const { webhook: created } = await createWebhook(t, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
    ok(await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: created.id }, { token: org.admin }));
    expect((await webhooks(t, org)).some((w) => w.id === created.id)).toBe(false);
    // A later change reaches a live webhook but not the deleted one.
    const live = receiver.hook(200);
    await createWebhook(t, org, live.url, ["SERVICE_STATUS_CHANGED"]);
    await setStatus(t, org, org.serviceId, "OPERATIONAL");
    await until(() => live.got().length === 1, 5_000);
    expect(hook.got()).toHaveLength(0);
    const gone = await t.gql(`mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, { id: created.id }, { token: org.admin });
    expect(codeOf(gone)).toBe("NOT_FOUND");
  });
});

// ---------------------------------------------------------------- internal targets

describe("webhook targets on internal addresses (ALLOW_PRIVATE_WEBHOOKS off)", () => {
  let t: TestApp;
  let org: Tenant;
  beforeAll(async () => {
    t = await startTestApp({ webhooks: FAST.webhooks, allowPrivateWebhooks: false });
    org = await createTenant(t);
  });
  afterAll(() => t.stop());

  const attempt = (url: string) =>
    t.gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`, { input: { organizationId: org.orgId, url, kinds: ["INCIDENT_CREATED"] } }, { token: org.admin });

  it.each([
    ["loopback", () => `${receiver.base}/x`],
    ["IPv6 loopback", () => "http://[::1]:9/x"],
    ["IPv4-mapped IPv6 loopback", () => "http://[::ffff:127.0.0.1]:9/x"],
    ["cloud metadata (link-local)", () => "http://169.254.169.254/latest/meta-data/"],
    ["private 10.x", () => "http://10.0.0.1/hook"],
    ["private 192.168.x", () => "http://192.168.1.20/hook"],
    ["carrier-grade NAT", () => "http://100.64.0.1/hook"],
    ["localhost by name", () => "http://localhost:9/x"],
  ])("refuses %s", async (_, url) => {
    const result = await attempt(url());
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe("url");
    expect(result.errors?.[0]?.message).toMatch(/public address/);
  });

  it("refuses a name that resolves to loopback", async (ctx) => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length === 0 || addresses.every((a) => isPublicAddress(a.address))) return ctx.skip(); // this machine's name is public
    const result = await attempt(`http://${name}:9/x`);
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe("url");
  });

  it("checks again at delivery: a stored name that now resolves inside is not connected to", async () => {
    // As if the name had resolved outside when the webhook was made (DNS rebinding).
    const hook = receiver.hook(200);
    const created = ok(
      await t.gql<{ createWebhook: { webhook: { id: string } } }>(
        `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
        { input: { organizationId: org.orgId, url: "https://hooks.example.com/in", kinds: ["SERVICE_STATUS_CHANGED"] } },
        { token: org.admin },
      ),
    ).createWebhook.webhook;
    const port = new URL(receiver.base).port;
    await t.app.services.db.prisma.webhook.update({ where: { id: created.id }, data: { url: `http://${hostname()}:${port}${hook.path}` } });
    const addresses = await lookup(hostname(), { all: true }).catch(() => []);
    const test = ok(await t.gql<{ sendTestWebhook: Delivery }>(`mutation($id: ID!) { sendTestWebhook(id: $id) { ${DELIVERY} } }`, { id: created.id }, { token: org.admin })).sendTestWebhook;
    expect(test.succeeded).toBe(false);
    if (addresses.length > 0 && addresses.some((a) => !isPublicAddress(a.address))) expect(test.error).toMatch(/^refused/);
    expect(hook.got()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- restarts and instances

describe("webhook retries across a restart", () => {
  it("the attempt after a restart is made by the new process, and the event arrives", async () => {
    const pg = process.env.TEST_DATABASE_URL;
    const dir = pg ? null : mkdtempSync(join(tmpdir(), "statuspage-webhooks-"));
    // Long enough a wait that the first process is gone before the second attempt is due.
    const config: Partial<AppConfig> = { ...FAST, webhooks: { ...FAST.webhooks, firstRetryMs: 2_500 }, ...(dir ? { dataDir: dir } : {}) };
    const first = await startTestApp(config);
    let second: TestApp | null = null;
    try {
      const org = await createTenant(first);
      const hook = receiver.hook(500, 500, 200);
      const { webhook: created } = await createWebhook(first, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
      await setStatus(first, org, org.serviceId, "PARTIAL_OUTAGE");
      await until(() => hook.got().length === 1, 5_000);
      await first.app.stop(); // waits for the first attempt's record
      const stoppedAt = Date.now();
      second = await startTestApp({ ...config, ...(dir ? {} : { databaseUrl: first.config.databaseUrl }) });
      await until(() => hook.got().length === 3, 20_000);
      expect(hook.got().slice(1).every((r) => r.at > stoppedAt)).toBe(true);
      expect(new Set(cursors(hook.got())).size).toBe(1);
      await waitUntil(async () => (await webhook(second!, org, created.id)).deliveries.length === 3);
      const deliveries = (await webhook(second, org, created.id)).deliveries;
      expect(deliveries.map((d) => [d.attempt, d.succeeded])).toEqual([
        [3, true],
        [2, false],
        [1, false],
      ]);
    } finally {
      await second?.stop();
      await first.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("two instances on one PostgreSQL", () => {
  it("the receiver gets each event exactly once, in order", async () => {
    const cluster = await twoInstances(process.env.TEST_REDIS_URL || undefined, FAST);
    try {
      const { a, b } = cluster;
      const org = await createTenant(a);
      const hook = receiver.hook(200);
      const { webhook: created } = await createWebhook(a, org, hook.url, ["SERVICE_STATUS_CHANGED"]);
      const statuses = ["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"];
      const changes = 12;
      for (let i = 0; i < changes; i++) await setStatus(i % 2 === 0 ? a : b, org, org.serviceId, statuses[i % statuses.length]!);
      await until(() => hook.got().length >= changes, 15_000);
      // Both dispatchers are done with it (cursor at the end, no claim held): nothing more can come.
      const prisma = a.app.services.db.prisma;
      await waitUntil(async () => {
        const [row, organization] = await Promise.all([
          prisma.webhook.findUniqueOrThrow({ where: { id: created.id } }),
          prisma.organization.findUniqueOrThrow({ where: { id: org.orgId } }),
        ]);
        return row.cursor === organization.eventSeq && row.leaseToken === null;
      });
      const order = cursors(hook.got());
      expect(order).toHaveLength(changes);
      expect(new Set(order).size).toBe(changes);
      expect(order).toEqual([...order].sort());
    } finally {
      await cluster.stop();
    }
  });
});
