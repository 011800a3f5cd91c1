// Email subscribers as an address owner sees them (issue 12, item 3): a local SMTP server gets
// the confirmation mail, then (once confirmed) the mails of incidents and maintenance of the
// chosen services, none of the others, none after unsubscribing (the mutation, and the one-click
// POST of RFC 8058); retries after SMTP failures are recorded; tokens expire or are refused; the
// public mutations answer the same whatever the address's state and are rate-limited; admins
// list, remove and export as CSV, nobody else. Runs on PostgreSQL + Redis when
// TEST_DATABASE_URL/TEST_REDIS_URL are set, and on PGlite.
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppConfig } from "../src/config.ts";
import { twoInstances, waitUntil } from "./cluster-kit.ts";
import { createService, createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type GqlResult, type TestApp } from "./harness.ts";

// ---------------------------------------------------------------- a mailbox

interface Received {
  to: string[];
  mail: ParsedMail;
}

/** A local SMTP server: keeps every mail; refuses the recipients it is told to, so many times. */
class Mailbox {
  readonly mails: Received[] = [];
  /** Address → how many more times it is refused (Infinity: always). */
  readonly refuse = new Map<string, number>();
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const left = this.refuse.get(address.address) ?? 0;
        if (left > 0) {
          this.refuse.set(address.address, left - 1);
          return callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream, (error, mail) => {
          if (!error) this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback(error ?? null);
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => m.to.includes(address)).map((m) => m.mail);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- calls

const PUBLIC_URL = "https://status.example.test";
const SUBSCRIBE = `mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`;
const CONFIRM = `mutation($token: String!) { confirmSubscription(token: $token) { confirmed page { slug name } services { id name } } }`;
const UPDATE = `mutation($input: UpdateSubscriptionInput!) { updateSubscription(input: $input) { confirmed services { id } } }`;
const UNSUBSCRIBE = `mutation($token: String!) { unsubscribe(token: $token) }`;
const LIST = `query($slug: String!) { organization(slug: $slug) { subscribers(first: 100) { totalCount pageInfo { hasNextPage } edges { cursor node { id email confirmedAt createdAt services { id } } } } } }`;

type Subscription = { confirmed: boolean; page: { slug: string; name: string }; services: { id: string; name: string }[] };

let t: TestApp;
let mailbox: Mailbox;
let org: Tenant;
let other: Tenant;
/** org's second service (org.serviceId is the first). */
let second: string;

const FAST: Partial<AppConfig> = { publicUrl: PUBLIC_URL, webhooks: { firstRetryMs: 150, maxAttempts: 3, pollIntervalMs: 100 } };

beforeAll(async () => {
  mailbox = new Mailbox();
  await mailbox.start();
  t = await startTestApp({ ...FAST, smtpUrl: `smtp://127.0.0.1:${mailbox.port}`, mailFrom: "Status <status@example.test>", redisUrl: process.env.TEST_REDIS_URL || undefined });
  [org, other] = [await createTenant(t), await createTenant(t)];
  second = await createService(t, org, "Billing <&> Payments");
});
afterAll(async () => {
  await t?.stop();
  await mailbox?.stop();
});

const prisma = () => t.app.services.db.prisma;
const pub = <T>(query: string, variables: Record<string, unknown>, app = t) => app.gql<T>(query, variables, { endpoint: "/graphql/public" });
const subscribe = (email: string, serviceIds: string[] = [], slug = org.slug, app = t) => pub<{ subscribeToStatusPage: boolean }>(SUBSCRIBE, { input: { slug, email, serviceIds } }, app);
const confirm = (token: string) => pub<{ confirmSubscription: Subscription }>(CONFIRM, { token });
const address = (label: string) => `${unique(label)}@example.com`;
const until = (check: () => boolean, timeoutMs = 10_000) => waitUntil(() => Promise.resolve(check()), timeoutMs);

/** The token of a link of the web app in a mail's text: the confirm page or the manage page. */
function tokenIn(mail: ParsedMail, page: "confirm" | "manage"): string {
  const pattern = page === "confirm" ? /\/subscription\/confirm\?token=([^\s"<]+)/ : /\/subscription\?token=([^\s"<]+)/;
  const match = pattern.exec(mail.text ?? "");
  if (!match) throw new Error(`no ${page} link in: ${mail.text}`);
  return decodeURIComponent(match[1]!);
}

/** Subscribes, waits for the confirmation mail, opens its link. */
async function confirmedSubscriber(email: string, serviceIds: string[] = []): Promise<Subscription> {
  expect(ok(await subscribe(email, serviceIds)).subscribeToStatusPage).toBe(true);
  await until(() => mailbox.to(email).length === 1);
  return ok(await confirm(tokenIn(mailbox.to(email)[0]!, "confirm"))).confirmSubscription;
}

/** An incident on the service (a fresh one by default: an incident must make a service worse). */
async function createIncident(serviceId: string | null, title: string): Promise<string> {
  serviceId ??= await createService(t, org);
  return ok(
    await t.gql<{ createIncident: { id: string } }>(
      `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
      { input: { serviceIds: [serviceId], title, message: "Errors are <elevated> & we look.", impact: "PARTIAL_OUTAGE" } },
      { token: org.admin },
    ),
  ).createIncident.id;
}

async function resolveIncident(id: string): Promise<void> {
  ok(await t.gql(`mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`, { input: { id, status: "RESOLVED", message: "Fixed." } }, { token: org.admin }));
}

/** Waits until every confirmed subscriber of org is done with the log (cursor at its end, no claim). */
async function settled(): Promise<void> {
  await waitUntil(async () => {
    const [rows, organization] = await Promise.all([
      prisma().subscriber.findMany({ where: { organizationId: org.orgId, confirmedAt: { not: null }, enabled: true } }),
      prisma().organization.findUniqueOrThrow({ where: { id: org.orgId } }),
    ]);
    return rows.every((row) => row.cursor === organization.eventSeq && row.leaseToken === null);
  }, 15_000);
}

const headerLine = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");

// ---------------------------------------------------------------- double opt-in and delivery

describe("a confirmed subscriber", () => {
  it("gets the incident and maintenance mails of a chosen service through SMTP, none of another, and nothing before confirming", async () => {
    const chosen = address("chosen");
    const waiting = address("waiting");
    expect(ok(await subscribe(waiting)).subscribeToStatusPage).toBe(true); // never confirms
    const subscription = await confirmedSubscriber(chosen, [org.serviceId]);
    expect(subscription).toEqual({ confirmed: true, page: { slug: org.slug, name: expect.any(String) as string }, services: [{ id: org.serviceId, name: "API" }] });

    const confirmation = mailbox.to(chosen)[0]!;
    expect(confirmation.subject).toMatch(/^Confirm your subscription/);
    expect(confirmation.text).toContain(`${PUBLIC_URL}/status/${org.slug}/subscription/confirm?token=`);
    expect(confirmation.html).toContain("/subscription/confirm?token=");

    const elsewhere = await createIncident(null, unique("not-chosen"));
    const title = `${unique("chosen")} <b>&amp;`;
    const incident = await createIncident(org.serviceId, title);
    await until(() => mailbox.to(chosen).length >= 2);
    await settled();
    const mails = mailbox.to(chosen);
    expect(mails).toHaveLength(2);
    const mail = mails[1]!;
    expect(mail.subject).toBe(`[${subscription.page.name}] New incident: ${title}`);
    expect(mail.text).toContain(`${PUBLIC_URL}/status/${org.slug}/incidents/${incident}`);
    expect(mail.text).toContain("Errors are <elevated> & we look.");
    // HTML escapes whatever people typed.
    expect(mail.html).toContain("&lt;b&gt;&amp;amp;");
    expect(mail.html).toContain("Errors are &lt;elevated&gt; &amp; we look.");
    expect(mail.html).not.toContain("<b>&amp;");
    expect(mail.html).toContain(`/status/${org.slug}/incidents/${incident}`);
    // RFC 8058 one-click unsubscribe, and the manage link in the body.
    const manage = tokenIn(mail, "manage");
    expect(headerLine(mail, "list-unsubscribe")).toBe(`<${PUBLIC_URL}/api/subscriptions/unsubscribe?token=${encodeURIComponent(manage)}>`);
    expect(headerLine(mail, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(mail.text).toContain(`${PUBLIC_URL}/status/${org.slug}/subscription?token=`);
    expect(mails.some((m) => m.text?.includes(elsewhere))).toBe(false);

    // Resolving it is mailed too; a maintenance window on the chosen service is.
    await resolveIncident(incident);
    const start = new Date(Date.now() + 86_400_000);
    ok(
      await t.gql(
        `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
        { input: { organizationId: org.orgId, serviceIds: [org.serviceId], title: "Database upgrade", scheduledStart: start, scheduledEnd: new Date(start.getTime() + 3_600_000) } },
        { token: org.admin },
      ),
    );
    await until(() => mailbox.to(chosen).length >= 4);
    expect(mailbox.to(chosen).slice(2).map((m) => m.subject?.replace(/^\[[^\]]*\] /, ""))).toEqual([`Incident resolved: ${title}`, "Maintenance scheduled: Database upgrade"]);

    // The one who never confirmed got the confirmation mail and nothing else.
    await settled();
    expect(mailbox.to(waiting)).toHaveLength(1);

    // The manage link reads and changes the choice.
    expect(ok(await confirm(manage)).confirmSubscription.services.map((s) => s.id)).toEqual([org.serviceId]);
    const changed = ok(await pub<{ updateSubscription: { services: { id: string }[] } }>(UPDATE, { input: { token: manage, serviceIds: [] } }));
    expect(changed.updateSubscription.services).toEqual([]);
    await createIncident(null, unique("now-wanted"));
    await until(() => mailbox.to(chosen).length >= 5);
  });

  it("starts at the end of the log: nothing of what happened before it confirmed", async () => {
    const late = address("late");
    ok(await subscribe(late));
    await until(() => mailbox.to(late).length === 1);
    await createIncident(null, unique("before-confirming"));
    ok(await confirm(tokenIn(mailbox.to(late)[0]!, "confirm")));
    const after = unique("after-confirming");
    await createIncident(null, after);
    await until(() => mailbox.to(late).length >= 2);
    await settled();
    expect(mailbox.to(late).slice(1).map((m) => m.subject)).toEqual([expect.stringContaining(after) as string]);
  });
});

// ---------------------------------------------------------------- unsubscribing

describe("unsubscribing", () => {
  it("through the mutation or the one-click POST stops the mails and deletes the address; a GET never unsubscribes", async () => {
    const [byMutation, byPost, control] = [address("by-mutation"), address("by-post"), address("control")];
    for (const email of [byMutation, byPost, control]) await confirmedSubscriber(email);
    const tokenOf = async (email: string) => {
      const row = await prisma().subscriber.findUniqueOrThrow({ where: { organizationId_email: { organizationId: org.orgId, email } } });
      return t.app.services.subscriptionTokens.issue("manage", row.id);
    };
    expect(ok(await pub<{ unsubscribe: boolean }>(UNSUBSCRIBE, { token: await tokenOf(byMutation) })).unsubscribe).toBe(true);

    const oneClick = `${t.url}/api/subscriptions/unsubscribe?token=${encodeURIComponent(await tokenOf(byPost))}`;
    const get = await fetch(oneClick);
    expect(get.status).toBe(405);
    expect(await prisma().subscriber.count({ where: { email: byPost } })).toBe(1);
    const post = await fetch(oneClick, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(post.status).toBe(200);
    // A second click: the same answer.
    expect((await fetch(oneClick, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(200);
    expect(await prisma().subscriber.count({ where: { email: { in: [byMutation, byPost] } } })).toBe(0);

    const title = unique("after-unsubscribe");
    await createIncident(null, title);
    await until(() => mailbox.to(control).some((m) => m.subject?.includes(title)));
    await settled();
    expect(mailbox.to(byMutation)).toHaveLength(1);
    expect(mailbox.to(byPost)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- the same answer, whatever the state

describe("subscribeToStatusPage", () => {
  it("answers the same for a new, an unconfirmed and a confirmed address, resends at most once per few minutes, and never changes a confirmed choice", async () => {
    const email = address("again");
    const answers: GqlResult<unknown>[] = [await subscribe(email, [org.serviceId]), await subscribe(email, [org.serviceId])];
    await until(() => mailbox.to(email).length >= 1);
    ok(await confirm(tokenIn(mailbox.to(email)[0]!, "confirm")));
    answers.push(await subscribe(email, [second]));
    // Once the interval has passed, the confirmed address gets its links (and nothing changes).
    await prisma().subscriber.updateMany({ where: { email }, data: { lastPromptAt: new Date(Date.now() - 10 * 60_000) } });
    answers.push(await subscribe(email, [second]));
    const bodies = answers.map((a) => JSON.stringify({ data: a.data, errors: a.errors, status: a.status }));
    expect(new Set(bodies)).toEqual(new Set([JSON.stringify({ data: { subscribeToStatusPage: true }, status: 200 })]));
    await until(() => mailbox.to(email).length >= 2);
    const [first, again] = mailbox.to(email);
    expect(first!.subject).toMatch(/^Confirm/);
    expect(again!.subject).toMatch(/^Your subscription/);
    expect(headerLine(again!, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(tokenIn(again!, "manage")).toMatch(/^m\./);
    const row = await prisma().subscriber.findFirstOrThrow({ where: { email } });
    expect(row.serviceIds).toEqual([org.serviceId]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailbox.to(email)).toHaveLength(2);
  });

  it("refuses an invalid address, services of another page and an unknown page, changing nothing", async () => {
    const email = address("refused");
    const invalid = await subscribe("not an address");
    expect([codeOf(invalid), invalid.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "email"]);
    const foreign = await subscribe(email, [other.serviceId]);
    expect([codeOf(foreign), foreign.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "serviceIds"]);
    const unknown = await subscribe(email, ["0198a0a0-0000-7000-8000-000000000000"]);
    expect([codeOf(unknown), unknown.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "serviceIds"]);
    expect(codeOf(await subscribe(email, [], `nosuch-${unique("page")}`))).toBe("NOT_FOUND");
    expect(await prisma().subscriber.count({ where: { email } })).toBe(0);
    // updateSubscription with another page's service changes nothing either.
    const kept = address("kept");
    await confirmedSubscriber(kept, [org.serviceId]);
    const row = await prisma().subscriber.findFirstOrThrow({ where: { email: kept } });
    const token = t.app.services.subscriptionTokens.issue("manage", row.id);
    const refused = await pub(UPDATE, { input: { token, serviceIds: [other.serviceId] } });
    expect([codeOf(refused), refused.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "serviceIds"]);
    expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: row.id } })).serviceIds).toEqual([org.serviceId]);
    // No public answer carries the address.
    const answer = await confirm(token);
    expect(JSON.stringify(answer)).not.toContain(kept);
  });
});

// ---------------------------------------------------------------- tokens

describe("links", () => {
  it("refuse an expired confirmation token, a forged one and one of a removed subscriber, with BAD_USER_INPUT on token", async () => {
    const email = address("expired");
    ok(await subscribe(email));
    const row = await prisma().subscriber.findFirstOrThrow({ where: { email } });
    const tokens = t.app.services.subscriptionTokens;
    const expired = tokens.issue("confirm", row.id, Date.now() - 49 * 3_600_000);
    const valid = tokens.issue("confirm", row.id);
    const forged = valid.slice(0, -3) + (valid.endsWith("AAA") ? "BBB" : "AAA");
    const otherId = tokens.issue("manage", "0198a0a0-0000-7000-8000-000000000000");
    for (const token of [expired, forged, otherId, "nonsense", `m.${row.id}.0.`]) {
      const answer = await confirm(token);
      expect([codeOf(answer), answer.errors?.[0]?.extensions?.field], token).toEqual(["BAD_USER_INPUT", "token"]);
      const update = await pub(UPDATE, { input: { token, serviceIds: [] } });
      expect(codeOf(update)).toBe("BAD_USER_INPUT");
    }
    expect(codeOf(await pub(UNSUBSCRIBE, { token: forged }))).toBe("BAD_USER_INPUT");
    expect((await prisma().subscriber.findUniqueOrThrow({ where: { id: row.id } })).confirmedAt).toBeNull();
    expect(ok(await confirm(valid)).confirmSubscription.confirmed).toBe(true);
  });
});

// ---------------------------------------------------------------- retries

describe("delivery", () => {
  it("is retried after an SMTP failure, every attempt recorded; an address that keeps failing is disabled", async () => {
    const flaky = address("flaky");
    const broken = address("broken");
    await confirmedSubscriber(flaky);
    await confirmedSubscriber(broken);
    mailbox.refuse.set(flaky, 1);
    mailbox.refuse.set(broken, Infinity);
    const title = unique("retried");
    await createIncident(null, title);
    await until(() => mailbox.to(flaky).some((m) => m.subject?.includes(title)), 15_000);
    const flakyRow = await prisma().subscriber.findFirstOrThrow({ where: { email: flaky } });
    // The mail arrives before the dispatcher records the attempt that sent it.
    const recorded = () => prisma().subscriberDelivery.findMany({ where: { subscriberId: flakyRow.id }, orderBy: { createdAt: "asc" } });
    await waitUntil(async () => (await recorded()).length >= 2, 15_000);
    const attempts = await recorded();
    expect(attempts.map((a) => [a.attempt, a.succeeded])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(attempts[0]!.error).toMatch(/550|unavailable/i);
    expect(attempts[0]!.nextAttemptAt).not.toBeNull();

    await waitUntil(async () => !(await prisma().subscriber.findFirstOrThrow({ where: { email: broken } })).enabled, 15_000);
    const brokenRow = await prisma().subscriber.findFirstOrThrow({ where: { email: broken } });
    expect(brokenRow.disabledReason).toMatch(/after 3 failed attempts/);
    expect(await prisma().subscriberDelivery.count({ where: { subscriberId: brokenRow.id, succeeded: false } })).toBe(3);
    expect(await prisma().auditEntry.count({ where: { organizationId: org.orgId, action: "subscriber.disable", targetId: brokenRow.id, actor: "system:subscribers" } })).toBe(1);
    mailbox.refuse.delete(broken);
    // Subscribing it again starts over: unconfirmed, with a new confirmation link.
    const before = mailbox.to(broken).length;
    ok(await subscribe(broken));
    await until(() => mailbox.to(broken).length === before + 1);
    expect(mailbox.to(broken).at(-1)!.subject).toMatch(/^Confirm/);
    const restarted = await prisma().subscriber.findUniqueOrThrow({ where: { id: brokenRow.id } });
    expect([restarted.enabled, restarted.confirmedAt, restarted.disabledReason]).toEqual([true, null, null]);
  });
});

describe("many subscribers", () => {
  it("each get the event of a chosen service, none of another, with what it touches read once per event, not once per subscriber", async () => {
    const service = await createService(t, org);
    const wanting = await Promise.all(Array.from({ length: 12 }, (_, i) => address(`many-${i}`)).map(async (email) => (await confirmedSubscriber(email, [service]), email)));
    const elsewhere = address("many-elsewhere");
    await confirmedSubscriber(elsewhere, [org.serviceId]);
    await settled();
    const reads = vi.spyOn(prisma().incidentService, "findMany");
    const counts = vi.spyOn(prisma().incidentService, "count");
    try {
      const title = unique("many");
      const incident = await createIncident(service, title);
      for (const email of wanting) await until(() => mailbox.to(email).some((m) => m.subject?.includes(title)), 15_000);
      await settled();
      expect(mailbox.to(elsewhere).some((m) => m.subject?.includes(title))).toBe(false);
      const ofThisIncident = [...reads.mock.calls, ...counts.mock.calls].filter(([args]) => (args as { where?: { incidentId?: string } } | undefined)?.where?.incidentId === incident);
      // One per second of serving at most (TOUCHED_TTL_MS); before, one per subscriber (13 and more here).
      expect(ofThisIncident.length).toBeGreaterThan(0);
      expect(ofThisIncident.length).toBeLessThanOrEqual(3);
    } finally {
      reads.mockRestore();
      counts.mockRestore();
    }
  });
});

// ---------------------------------------------------------------- admins

describe("admins", () => {
  it("list, export as CSV and remove subscribers; members are FORBIDDEN, other tenants NOT_FOUND, no token UNAUTHENTICATED", async () => {
    const listed = address("listed");
    await confirmedSubscriber(listed, [second]);
    const list = ok(await t.gql<{ organization: { subscribers: { totalCount: number; edges: { node: { id: string; email: string; confirmedAt: string | null; services: { id: string }[] } }[] } } }>(LIST, { slug: org.slug }, { token: org.admin })).organization.subscribers;
    const entry = list.edges.find((e) => e.node.email === listed)!.node;
    expect(entry.services).toEqual([{ id: second }]);
    expect(entry.confirmedAt).not.toBeNull();
    expect(list.totalCount).toBe(await prisma().subscriber.count({ where: { organizationId: org.orgId } }));
    expect(codeOf(await t.gql(LIST, { slug: org.slug }, { token: org.member }))).toBe("FORBIDDEN");

    const csv = (token: string | undefined, orgId = org.orgId) => fetch(`${t.url}/api/admin/organizations/${orgId}/subscribers.csv`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const answer = await csv(org.admin);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await answer.text();
    expect(text.split("\r\n")[0]).toBe(`"email","services","confirmed","confirmed_at","created_at"`);
    expect(text).toContain(`"${listed}","Billing <&> Payments","yes",`);
    const byToken = await csv(org.adminApiToken);
    expect(byToken.status).toBe(200);
    // Read to its end: a body left unread holds its connection while the refusals below are asked.
    expect((await byToken.text()).split("\r\n")[0]).toBe(`"email","services","confirmed","confirmed_at","created_at"`);
    // An id nobody has: B's own id with its last character changed (replacing it with "0" was
    // B's id itself whenever it already ended in 0, one run in sixteen: then B's admin got B's CSV).
    const madeUp = other.orgId.slice(0, -1) + (other.orgId.endsWith("0") ? "1" : "0");
    const refusals = await Promise.all([csv(org.member), csv(org.memberApiToken), csv(other.admin), csv(other.admin, madeUp), csv(undefined), csv("sp_nonsense")]);
    const codes = await Promise.all(
      refusals.map(async (r) => {
        const body = await r.text();
        try {
          return [r.status, (JSON.parse(body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
        } catch {
          return [r.status, r.headers.get("content-type"), body.slice(0, 80)];
        }
      }),
    );
    expect(codes).toEqual([
      [403, "FORBIDDEN"],
      [403, "FORBIDDEN"],
      [404, "NOT_FOUND"],
      [404, "NOT_FOUND"],
      [401, "UNAUTHENTICATED"],
      [401, "UNAUTHENTICATED"],
    ]);

    expect(codeOf(await t.gql(`mutation($id: ID!) { removeSubscriber(id: $id) }`, { id: entry.id }, { token: org.member }))).toBe("FORBIDDEN");
    expect(codeOf(await t.gql(`mutation($id: ID!) { removeSubscriber(id: $id) }`, { id: entry.id }, { token: other.admin }))).toBe("NOT_FOUND");
    expect(ok(await t.gql<{ removeSubscriber: string }>(`mutation($id: ID!) { removeSubscriber(id: $id) }`, { id: entry.id }, { token: org.admin })).removeSubscriber).toBe(entry.id);
    expect(await prisma().subscriber.count({ where: { id: entry.id } })).toBe(0);
  });
});

// ---------------------------------------------------------------- rate limits

describe("the public subscription mutations", () => {
  it("are rate-limited per address and per IP (RATE_LIMITED, HTTP 429 with Retry-After)", async () => {
    const limited = await startTestApp({ ...FAST, subscribeRateLimit: 2 });
    try {
      const tenant = await createTenant(limited);
      const email = address("limited");
      for (let i = 0; i < 2; i++) expect(ok(await subscribe(email, [], tenant.slug, limited)).subscribeToStatusPage).toBe(true);
      const third = await subscribe(email, [], tenant.slug, limited);
      expect(codeOf(third)).toBe("RATE_LIMITED");
      expect(third.status).toBe(429);
      // Per IP: 10× the per-address budget across all four mutations (two were taken above, and the refused third).
      const answers: string[] = [];
      for (let i = 0; i < 18; i++) answers.push(codeOf(await subscribe(address(`ip${i}`), [], tenant.slug, limited)) ?? "ok");
      expect(answers.filter((a) => a === "ok").length).toBe(17);
      expect(answers.at(-1)).toBe("RATE_LIMITED");
      expect(codeOf(await pub(UNSUBSCRIBE, { token: "nonsense" }, limited))).toBe("RATE_LIMITED");
    } finally {
      await limited.stop();
    }
  });
});

// ---------------------------------------------------------------- several instances

describe.skipIf(!process.env.TEST_DATABASE_URL)("two instances on one PostgreSQL", () => {
  it("mail each event to a subscriber exactly once, in order", async () => {
    const cluster = await twoInstances(process.env.TEST_REDIS_URL || undefined, { ...FAST, smtpUrl: `smtp://127.0.0.1:${mailbox.port}` });
    try {
      const { a, b } = cluster;
      const tenant = await createTenant(a);
      const email = address("clustered");
      ok(await subscribe(email, [], tenant.slug, a));
      await until(() => mailbox.to(email).length === 1);
      ok(await pub(CONFIRM, { token: tokenIn(mailbox.to(email)[0]!, "confirm") }, b));
      const titles: string[] = [];
      for (let i = 0; i < 6; i++) {
        const app = i % 2 === 0 ? a : b;
        const serviceId = await createService(app, tenant);
        const title = unique(`clustered-${i}`);
        titles.push(title);
        ok(
          await app.gql(
            `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
            { input: { serviceIds: [serviceId], title, message: "Looking.", impact: "MAJOR_OUTAGE" } },
            { token: tenant.admin },
          ),
        );
      }
      await until(() => mailbox.to(email).length >= 7, 15_000);
      const db = a.app.services.db.prisma;
      await waitUntil(async () => {
        const [row, organization] = await Promise.all([db.subscriber.findFirstOrThrow({ where: { email } }), db.organization.findUniqueOrThrow({ where: { id: tenant.orgId } })]);
        return row.cursor === organization.eventSeq && row.leaseToken === null;
      });
      expect(mailbox.to(email).slice(1).map((m) => m.subject?.replace(/^.*New incident: /, ""))).toEqual(titles);
    } finally {
      await cluster.stop();
    }
  });
});
