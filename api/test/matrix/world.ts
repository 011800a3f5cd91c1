// The world the tenancy matrix runs in: one app, organisation A (acted on) and organisation B
// (the other tenant, with recognisable names), the six actors, and factories of fresh objects of
// A for calls that use them up. A "phantom" copy of the fixture names made-up objects instead,
// so that B's answer about A's objects can be compared with its answer about nothing at all.
import { randomBytes, randomUUID } from "node:crypto";
import { accept, createService, createTenant, invite, join, PASSWORD, signUp, tokenOfLink, type Tenant } from "../fixtures.ts";
import { ok, startTestApp, unique, type TestApp } from "../harness.ts";

export const ACTORS = ["admin", "member", "memberToken", "revokedToken", "otherAdmin", "anonymous"] as const;
export type Actor = (typeof ACTORS)[number];

/** allowed: no error, a value; null: no error, no value; else the error code. */
export type Outcome = "allowed" | "null" | "FORBIDDEN" | "NOT_FOUND" | "UNAUTHENTICATED";

export type Vars = Record<string, unknown>;
type Prisma = TestApp["app"]["services"]["db"]["prisma"];

/** What an entry may name of A (and B), and make fresh. */
export interface Fx {
  /** True for the made-up copy: every id is random, nothing is created. */
  phantom: boolean;
  a: {
    orgId: string;
    slug: string;
    serviceId: string;
    spareServiceId: string;
    incidentId: string;
    maintenanceId: string;
    apiTokenId: string;
    invitationId: string;
    adminUserId: string;
    memberUserId: string;
    adminEmail: string;
    memberEmail: string;
  };
  /** B's own: for calls in which B's admin acts in B on A's objects. */
  b: { orgId: string; slug: string; serviceId: string; maintenanceId: string };
  /** Logs in here (a user of a third, unrelated organisation). */
  neutral: { email: string };
  /** A unique, recognisable name ("alpha-" + prefix + hex). */
  name(prefix: string): string;
  /** A unique email address nobody has. */
  email(prefix: string): string;
  /** A fresh *.localhost host name (loopback: answers this server's custom-domain challenge). */
  domain(): string;
  fresh: {
    service(): Promise<string>;
    incident(): Promise<string>;
    maintenance(): Promise<string>;
    /** A MEMBER API token's id. */
    apiToken(): Promise<string>;
    invitation(email?: string): Promise<{ id: string; token: string; email: string }>;
    /** A new person in A (by invitation), signed in. */
    member(role?: "ADMIN" | "MEMBER"): Promise<{ userId: string; token: string; email: string }>;
    /** A new session of an existing person. */
    session(who: "aAdmin" | "aMember" | "bAdmin"): Promise<string>;
    /** A's admin claims a fresh host name (pendingCustomDomain); returns it. */
    claimedDomain(): Promise<string>;
    /** A webhook of A (to a host that never resolves); its id. */
    webhook(): Promise<string>;
    /** A test delivery to a fresh webhook of A; its id. */
    webhookDelivery(): Promise<string>;
    /** An email subscriber of A (confirmed when asked); its id and the tokens of its links. */
    subscriber(confirmed?: boolean): Promise<{ id: string; confirmToken: string; manageToken: string }>;
  };
}

export interface Org extends Tenant {
  name: string;
  spareServiceId: string;
  spareServiceName: string;
  incidentId: string;
  incidentTitle: string;
  maintenanceId: string;
  maintenanceTitle: string;
  invitationId: string;
  invitationEmail: string;
  apiTokenIds: string[];
  /** A webhook's URL: only the organisation's admins may read it. */
  webhookUrl: string;
  /** A subscriber's address: only the organisation's admins may read it. */
  subscriberEmail: string;
}

export interface World {
  t: TestApp;
  prisma: Prisma;
  a: Org;
  b: Org;
  tokens: Record<Actor, string | undefined>;
  fx: Fx;
  phantom: Fx;
  /** A's strings no outsider may see, and those anyone may see on its status page. */
  secretsOfA: { private: string[]; public: string[] };
  /** Every recognisable string of B: none may reach A's actors. */
  secretsOfB: string[];
}

const hex = () => randomBytes(4).toString("hex");

async function adminGql<T>(t: TestApp, token: string, query: string, variables: Vars): Promise<T> {
  return ok(await t.gql<T>(query, variables, { token }));
}

async function incidentOn(t: TestApp, org: Pick<Tenant, "admin">, serviceId: string, title: string): Promise<string> {
  const data = await adminGql<{ createIncident: { id: string } }>(
    t,
    org.admin,
    `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
    { input: { serviceIds: [serviceId], title, message: "Looking into it", impact: "MAJOR_OUTAGE" } },
  );
  return data.createIncident.id;
}

async function maintenanceOn(t: TestApp, org: Pick<Tenant, "admin" | "orgId">, serviceId: string, title: string): Promise<string> {
  const start = new Date(Date.now() + 86_400_000);
  const data = await adminGql<{ scheduleMaintenance: { id: string } }>(
    t,
    org.admin,
    `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
    { input: { organizationId: org.orgId, serviceIds: [serviceId], title, scheduledStart: start, scheduledEnd: new Date(start.getTime() + 3_600_000) } },
  );
  return data.scheduleMaintenance.id;
}

/** A webhook to a host under .invalid (RFC 2606: never resolves), so nothing leaves the machine. */
const hookUrl = (label: string) => `https://${label}-hook-${hex()}.invalid/in`;

async function webhookOn(t: TestApp, org: Pick<Tenant, "admin" | "orgId">, url: string): Promise<string> {
  const data = await adminGql<{ createWebhook: { webhook: { id: string } } }>(
    t,
    org.admin,
    `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
    { input: { organizationId: org.orgId, url, kinds: ["INCIDENT_CREATED"] } },
  );
  return data.createWebhook.webhook.id;
}

async function webhookDeliveryOn(t: TestApp, org: Pick<Tenant, "admin" | "orgId">): Promise<string> {
  const id = await webhookOn(t, org, hookUrl("alpha"));
  const data = await adminGql<{ sendTestWebhook: { id: string } }>(t, org.admin, `mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, { id });
  return data.sendTestWebhook.id;
}

/** Subscribes an address to the page (through /graphql/public), confirmed when asked; its id and link tokens. */
async function subscriberOn(t: TestApp, org: Pick<Tenant, "slug" | "orgId">, email: string, confirmed = false) {
  ok(await t.gql(`mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`, { input: { slug: org.slug, email } }, { endpoint: "/graphql/public" }));
  const { id } = await t.app.services.db.prisma.subscriber.findUniqueOrThrow({ where: { organizationId_email: { organizationId: org.orgId, email } }, select: { id: true } });
  const tokens = t.app.services.subscriptionTokens;
  const link = { id, confirmToken: tokens.issue("confirm", id), manageToken: tokens.issue("manage", id) };
  if (confirmed) ok(await t.gql(`mutation($token: String!) { confirmSubscription(token: $token) { confirmed } }`, { token: link.confirmToken }, { endpoint: "/graphql/public" }));
  return link;
}

async function apiTokenIds(t: TestApp, org: Tenant): Promise<string[]> {
  const data = await adminGql<{ organization: { apiTokens: { id: string }[] } }>(
    t,
    org.admin,
    `query($slug: String!) { organization(slug: $slug) { apiTokens { id } } }`,
    { slug: org.slug },
  );
  return data.organization.apiTokens.map((token) => token.id);
}

/** A tenant with recognisable names and one of every object. */
async function buildOrg(t: TestApp, label: "alpha" | "bravo"): Promise<Org> {
  const tenant = await createTenant(t);
  const name = `${label === "alpha" ? "Alpha" : "Bravo"} Org ${hex()}`;
  await adminGql(t, tenant.admin, `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { id } }`, { input: { id: tenant.orgId, name } });
  const spareServiceName = `${label}-svc-${hex()}`;
  const spareServiceId = await createService(t, tenant, spareServiceName);
  const incidentTitle = `${label}-incident-${hex()}`;
  const incidentId = await incidentOn(t, tenant, await createService(t, tenant, `${label}-down-${hex()}`), incidentTitle);
  const maintenanceTitle = `${label}-window-${hex()}`;
  const maintenanceId = await maintenanceOn(t, tenant, spareServiceId, maintenanceTitle);
  const invitationEmail = `${label}-invitee-${hex()}@example.com`;
  const invitationId = (await invite(t, tenant, invitationEmail)).id;
  const webhookUrl = hookUrl(label);
  await webhookOn(t, tenant, webhookUrl);
  const subscriberEmail = `${label}-subscriber-${hex()}@example.com`;
  await subscriberOn(t, tenant, subscriberEmail, true);
  return {
    ...tenant,
    name,
    spareServiceId,
    spareServiceName,
    incidentId,
    incidentTitle,
    maintenanceId,
    maintenanceTitle,
    invitationId,
    invitationEmail,
    apiTokenIds: await apiTokenIds(t, tenant),
    webhookUrl,
    subscriberEmail,
  };
}

/** Resolves TXT records from the database: every claimed domain proves itself (tests only). */
function fakeDns(getPrisma: () => Prisma | undefined) {
  return async (name: string): Promise<string[][]> => {
    const domain = name.replace(/^_statuspage-challenge\./, "");
    const org = await getPrisma()?.organization.findFirst({ where: { pendingCustomDomain: domain }, select: { customDomainToken: true } });
    if (org?.customDomainToken) return [[org.customDomainToken]];
    throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: "ENODATA" });
  };
}

export async function buildWorld(): Promise<World> {
  const store: { prisma?: Prisma } = {};
  const t = await startTestApp(
    { redisUrl: process.env.TEST_REDIS_URL || undefined, customDomainCheckPort: 0 },
    { resolveTxt: fakeDns(() => store.prisma) },
  );
  const prisma = (store.prisma = t.app.services.db.prisma);
  const [a, b, neutral] = await Promise.all([buildOrg(t, "alpha"), buildOrg(t, "bravo"), signUp(t, `Neutral ${hex()}`)]);

  // The revoked token: an ADMIN token of A, revoked before the run.
  const revoked = await adminGql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    t,
    a.admin,
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }`,
    { input: { organizationId: a.orgId, name: "revoked admin token", role: "ADMIN" } },
  );
  await adminGql(t, a.admin, `mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.createApiToken.apiToken.id });

  // One person belongs to both: A's admin, listing A's members, must not learn of B through them.
  const shared = await join(t, a, `shared-${hex()}@example.com`);
  await accept(t, (await invite(t, b, shared.email)).url, { password: PASSWORD });

  // A serves a proven custom domain and has claimed another (so those fields have values to hide).
  const verifiedDomain = `${unique("alpha-verified")}.localhost`;
  const claim = (domain: string) =>
    adminGql(t, a.admin, `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { id } }`, { input: { id: a.orgId, customDomain: domain } });
  await claim(verifiedDomain);
  await adminGql(t, a.admin, `mutation($id: ID!) { verifyCustomDomain(organizationId: $id) { id } }`, { id: a.orgId });
  const pendingDomain = `${unique("alpha-pending")}.localhost`;
  await claim(pendingDomain);

  const tokens: Record<Actor, string | undefined> = {
    admin: a.admin,
    member: a.member,
    memberToken: a.memberApiToken,
    revokedToken: revoked.createApiToken.token,
    otherAdmin: b.admin,
    anonymous: undefined,
  };

  const emailOf = (prefix: string) => `alpha-${prefix}-${hex()}@example.com`;
  const fx: Fx = {
    phantom: false,
    a: {
      orgId: a.orgId,
      slug: a.slug,
      serviceId: a.serviceId,
      spareServiceId: a.spareServiceId,
      incidentId: a.incidentId,
      maintenanceId: a.maintenanceId,
      apiTokenId: a.apiTokenIds[0]!,
      invitationId: a.invitationId,
      adminUserId: a.adminUserId,
      memberUserId: a.memberUserId,
      adminEmail: a.adminEmail,
      memberEmail: a.memberEmail,
    },
    b: { orgId: b.orgId, slug: b.slug, serviceId: b.spareServiceId, maintenanceId: b.maintenanceId },
    neutral: { email: neutral.email },
    name: (prefix) => `alpha-${prefix}-${hex()}`,
    email: emailOf,
    domain: () => `${unique("alpha")}.localhost`,
    fresh: {
      service: () => createService(t, a, `alpha-svc-${hex()}`),
      incident: async () => incidentOn(t, a, await createService(t, a, `alpha-svc-${hex()}`), `alpha-incident-${hex()}`),
      maintenance: () => maintenanceOn(t, a, a.spareServiceId, `alpha-window-${hex()}`),
      apiToken: async () =>
        (
          await adminGql<{ createApiToken: { apiToken: { id: string } } }>(
            t,
            a.admin,
            `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { apiToken { id } } }`,
            { input: { organizationId: a.orgId, name: `alpha-token-${hex()}`, role: "MEMBER" } },
          )
        ).createApiToken.apiToken.id,
      invitation: async (email = emailOf("invitee")) => {
        const created = await invite(t, a, email);
        return { id: created.id, token: tokenOfLink(created.url), email };
      },
      member: async (role = "MEMBER") => {
        const joined = await join(t, a, emailOf("member"), role);
        return { userId: joined.userId, token: joined.token, email: joined.email };
      },
      session: async (who) => {
        const email = { aAdmin: a.adminEmail, aMember: a.memberEmail, bAdmin: b.adminEmail }[who];
        const data = ok(await t.gql<{ logIn: { token: string } }>(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email, password: PASSWORD } }));
        return data.logIn.token;
      },
      claimedDomain: async () => {
        const domain = `${unique("alpha")}.localhost`;
        await claim(domain);
        return domain;
      },
      webhook: () => webhookOn(t, a, hookUrl("alpha")),
      webhookDelivery: () => webhookDeliveryOn(t, a),
      subscriber: (confirmed) => subscriberOn(t, a, emailOf("subscriber"), confirmed),
    },
  };

  const made = () => randomUUID();
  const phantom: Fx = {
    ...fx,
    phantom: true,
    a: {
      orgId: made(),
      slug: `nosuch-${hex()}`,
      serviceId: made(),
      spareServiceId: made(),
      incidentId: made(),
      maintenanceId: made(),
      apiTokenId: made(),
      invitationId: made(),
      adminUserId: made(),
      memberUserId: made(),
      adminEmail: `nobody-${hex()}@example.com`,
      memberEmail: `nobody-${hex()}@example.com`,
    },
    fresh: {
      service: () => Promise.resolve(made()),
      incident: () => Promise.resolve(made()),
      maintenance: () => Promise.resolve(made()),
      apiToken: () => Promise.resolve(made()),
      invitation: (email = emailOf("nobody")) => Promise.resolve({ id: made(), token: randomBytes(24).toString("base64url"), email }),
      member: () => Promise.resolve({ userId: made(), token: "", email: emailOf("nobody") }),
      session: (who) => fx.fresh.session(who),
      claimedDomain: () => Promise.resolve(`${unique("nowhere")}.localhost`),
      webhook: () => Promise.resolve(made()),
      webhookDelivery: () => Promise.resolve(made()),
      subscriber: () => {
        const id = made();
        const tokens = t.app.services.subscriptionTokens;
        return Promise.resolve({ id, confirmToken: tokens.issue("confirm", id), manageToken: tokens.issue("manage", id) });
      },
    },
  };

  const idsOf = (org: Org) => [org.orgId, org.adminUserId, org.memberUserId, org.adminEmail, org.memberEmail, org.invitationId, org.invitationEmail, ...org.apiTokenIds, org.webhookUrl, org.subscriberEmail];
  const publicOf = (org: Org) => [org.slug, org.name, org.serviceId, org.spareServiceId, org.spareServiceName, org.incidentId, org.incidentTitle, org.maintenanceId, org.maintenanceTitle];
  return {
    t,
    prisma,
    a,
    b,
    tokens,
    fx,
    phantom,
    secretsOfA: { private: [...idsOf(a), revoked.createApiToken.apiToken.id, pendingDomain], public: [...publicOf(a), verifiedDomain] },
    secretsOfB: [...idsOf(b), ...publicOf(b)],
  };
}

/** Everything a refused call must leave as it was, per organisation: cheap counts and maxima. */
export async function footprint(prisma: Prisma, organizationId: string) {
  const where = { organizationId };
  const [org, audit, members, admins, tokens, invitations, services, incidents, maintenances, webhooks, deliveries, subscribers] = await Promise.all([
    prisma.organization.findUnique({ where: { id: organizationId }, select: { name: true, eventSeq: true, customDomain: true, pendingCustomDomain: true } }),
    prisma.auditEntry.count({ where }),
    prisma.membership.count({ where }),
    prisma.membership.count({ where: { ...where, role: "ADMIN" } }),
    prisma.apiToken.count({ where: { ...where, revokedAt: null } }),
    prisma.invitation.count({ where: { ...where, acceptedAt: null, revokedAt: null } }),
    prisma.service.aggregate({ where: { ...where, deletedAt: null }, _count: true, _max: { updatedAt: true } }),
    prisma.incident.aggregate({ where: { ...where, deletedAt: null }, _count: true, _max: { updatedAt: true } }),
    prisma.maintenance.aggregate({ where, _count: true, _max: { updatedAt: true } }),
    prisma.webhook.findMany({ where: { ...where, deletedAt: null }, select: { id: true, url: true, kinds: true, format: true, enabled: true }, orderBy: { id: "asc" } }),
    // Only the attempts admins ask for: the dispatcher keeps retrying in the background.
    prisma.webhookDelivery.count({ where: { ...where, manual: true } }),
    prisma.subscriber.findMany({ where, select: { id: true, serviceIds: true, confirmedAt: true }, orderBy: { id: "asc" } }),
  ]);
  return {
    ...org,
    eventSeq: String(org?.eventSeq),
    audit,
    members,
    admins,
    tokens,
    invitations,
    services: `${services._count}@${services._max.updatedAt?.toISOString()}`,
    incidents: `${incidents._count}@${incidents._max.updatedAt?.toISOString()}`,
    maintenances: `${maintenances._count}@${maintenances._max.updatedAt?.toISOString()}`,
    webhooks: JSON.stringify(webhooks),
    deliveries,
    subscribers: JSON.stringify(subscribers),
  };
}
export type Footprint = Awaited<ReturnType<typeof footprint>>;
