// One entry per field the matrix walks (matrix.test.ts): how to call it against organisation A's
// objects, and what each of the six actors must get. A field of schema/admin.graphql without an
// entry here fails the matrix, and so does an entry whose field is gone.
//
// Actors: admin (A's ADMIN, a session), member (A's MEMBER, a session), memberToken (A's MEMBER
// API token), revokedToken (an ADMIN API token of A, revoked), otherAdmin (B's ADMIN, a session),
// anonymous (no token). Outcomes: allowed | null (no error, no value) | FORBIDDEN | NOT_FOUND |
// UNAUTHENTICATED.
import { PASSWORD } from "../fixtures.ts";
import type { TestApp } from "../harness.ts";
import type { Actor, Footprint, Fx, Outcome, Vars, World } from "./world.ts";

export interface EffectContext {
  w: World;
  /** The variables as sent, plus the entry's own `_` keys (never sent). */
  vars: Vars;
  data: unknown;
  /** The token the call was made with. */
  token: string | undefined;
  before: Footprint;
  after: Footprint;
}

export interface Entry {
  /** "Type.field" as in schema/admin.graphql. */
  field: string;
  document: string;
  /** Where the field's value sits in `data` (default: [field] for root fields, ["organization", field] on Organization). */
  path?: string[];
  /** Variables; keys starting with "_" are kept for `effect` and not sent. Fresh objects are made here. */
  vars?: (fx: Fx, actor: Actor) => Vars | Promise<Vars>;
  /** A different token for an actor (a fresh session for calls that end it, a fresh member for leaving). */
  as?: Partial<Record<Actor, (fx: Fx) => Promise<string>>>;
  expect: Record<Actor, Outcome>;
  /** Also on /graphql/public (where any token is ignored); what it answers is anyone's to see. */
  public?: boolean;
  /** Mutations: whether the call took effect (must be true when allowed, false when refused). */
  effect?: (c: EffectContext) => Promise<boolean> | boolean;
  /** Mutations: how much an allowed call adds to A's audit log (default 1; "any": not checked). */
  audit?: number | "any";
  /**
   * B's admin acting in B's own organisation on A's objects (B's id for the organisation, A's for
   * the rest): must answer as for made-up ids (default NOT_FOUND) and change nothing in A or B.
   */
  mixed?: { vars: (fx: Fx) => Vars | Promise<Vars>; expect?: Outcome };
}

const ADMIN_WRITE: Record<Actor, Outcome> = {
  admin: "allowed",
  member: "FORBIDDEN",
  memberToken: "FORBIDDEN",
  revokedToken: "UNAUTHENTICATED",
  otherAdmin: "NOT_FOUND",
  anonymous: "UNAUTHENTICATED",
};
/** Fields of Organization every member reads; another tenant's organization(slug) is null. */
const MEMBER_READ: Record<Actor, Outcome> = {
  admin: "allowed",
  member: "allowed",
  memberToken: "allowed",
  revokedToken: "UNAUTHENTICATED",
  otherAdmin: "null",
  anonymous: "UNAUTHENTICATED",
};
const ADMIN_READ: Record<Actor, Outcome> = { ...MEMBER_READ, member: "FORBIDDEN", memberToken: "FORBIDDEN" };
/** Anyone; but a token that is present and invalid is never taken for anonymous. */
const ANYONE: Record<Actor, Outcome> = {
  admin: "allowed",
  member: "allowed",
  memberToken: "allowed",
  revokedToken: "UNAUTHENTICATED",
  otherAdmin: "allowed",
  anonymous: "allowed",
};

const FROM_THE_START = "0000000000000000";
const prismaOf = (c: EffectContext) => c.w.prisma;
const str = (value: unknown) => String(value);
const input = (c: EffectContext) => c.vars.input as Record<string, unknown>;

/** Whether a token still signs in. */
async function works(t: TestApp, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const result = await t.gql(`{ viewer { id } }`, {}, { token });
  return !result.errors?.length;
}

/** A field of Organization, read through Query.organization(slug). */
function org(name: string, selection: string, expect: Record<Actor, Outcome>, extra: Partial<Entry> = {}): Entry {
  return { field: `Organization.${name}`, document: `query($slug: String!) { organization(slug: $slug) { ${name} ${selection} } }`, vars: (fx) => ({ slug: fx.a.slug }), expect, ...extra };
}

/** Organization.service / incident: B asks its own organisation for A's object (null, like a made-up id). */
function orgById(name: "service" | "incident", selection: string, idOf: (fx: Fx) => string): Entry {
  return {
    field: `Organization.${name}`,
    document: `query($slug: String!, $id: ID!) { organization(slug: $slug) { ${name}(id: $id) ${selection} } }`,
    vars: (fx, actor) => ({ slug: actor === "otherAdmin" ? fx.b.slug : fx.a.slug, id: idOf(fx) }),
    expect: MEMBER_READ,
  };
}

export const entries: Entry[] = [
  // ---- Query ----
  {
    field: "Query.viewer",
    document: `{ viewer { id email } }`,
    // null for an API token (no person) and for anonymous; a session sees itself.
    expect: { admin: "allowed", member: "allowed", memberToken: "null", revokedToken: "UNAUTHENTICATED", otherAdmin: "allowed", anonymous: "null" },
  },
  {
    field: "Query.organization",
    document: `query($slug: String!) { organization(slug: $slug) { id slug name } }`,
    vars: (fx) => ({ slug: fx.a.slug }),
    expect: MEMBER_READ,
  },
  {
    field: "Query.statusPage",
    document: `query($slug: String!) { statusPage(slug: $slug) { organization { slug name } status { indicator } services { id name status } activeIncidents { id title } maintenances { id title } } }`,
    vars: (fx) => ({ slug: fx.a.slug }),
    expect: ANYONE,
    public: true,
  },

  // ---- Subscription ----
  {
    field: "Subscription.organizationEvents",
    document: `subscription($organizationId: ID!, $after: String) { organizationEvents(organizationId: $organizationId, after: $after) { cursor kind service { id name } } }`,
    vars: (fx) => ({ organizationId: fx.a.orgId, after: FROM_THE_START }),
    expect: { ...ADMIN_WRITE, member: "allowed", memberToken: "allowed" },
  },
  {
    field: "Subscription.statusPageEvents",
    document: `subscription($slug: String!, $after: String) { statusPageEvents(slug: $slug, after: $after) { cursor kind serviceId service { id name } } }`,
    vars: (fx) => ({ slug: fx.a.slug, after: FROM_THE_START }),
    expect: ANYONE,
    public: true,
  },

  // ---- Organization (read through Query.organization) ----
  org("id", "", MEMBER_READ),
  org("slug", "", MEMBER_READ),
  org("name", "", MEMBER_READ),
  org("createdAt", "", MEMBER_READ),
  org("customDomain", "", MEMBER_READ),
  org("customDomainVerifiedAt", "", MEMBER_READ),
  org("status", "{ indicator description }", MEMBER_READ),
  org("services", "{ id name }", MEMBER_READ),
  orgById("service", "{ id name }", (fx) => fx.a.serviceId),
  org("incidents", "{ nodes { id title } }", MEMBER_READ),
  orgById("incident", "{ id title }", (fx) => fx.a.incidentId),
  org("maintenances", "(state: ALL) { id title }", MEMBER_READ),
  org("events", "(first: 5) { cursor kind }", MEMBER_READ),
  org("members", "{ role user { id email } }", ADMIN_READ),
  org("invitations", "{ id email role }", ADMIN_READ),
  org("apiTokens", "{ id name role }", ADMIN_READ),
  org("webhooks", "{ id url kinds format enabled disabledReason createdAt deliveries(first: 5) { id eventCursor attempt succeeded } }", ADMIN_READ),
  org("auditLog", "{ nodes { action actor targetId } }", ADMIN_READ),
  org("subscribers", "{ totalCount pageInfo { hasNextPage } edges { cursor node { id email confirmedAt disabledReason createdAt services { id } } } nodes { id email } }", ADMIN_READ),
  org("pendingCustomDomain", "", ADMIN_READ),
  org("customDomainChallenge", "{ domain token dnsName }", ADMIN_READ),

  // ---- fields that authorise themselves (no authScopes) ----
  {
    // Only the viewer's own memberships: A's admin sees A's members, one of whom is also in B.
    field: "User.memberships",
    document: `query($slug: String!) { organization(slug: $slug) { members { user { id memberships { role organization { id slug name } } } } } }`,
    path: ["organization", "members"],
    vars: (fx) => ({ slug: fx.a.slug }),
    expect: ADMIN_READ,
  },

  // ---- Mutation: sessions and accounts ----
  {
    field: "Mutation.signUp",
    document: `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
    vars: (fx) => ({ input: { email: fx.email("signup"), password: PASSWORD, name: "Someone New", organizationName: fx.name("org") } }),
    expect: ANYONE,
    audit: 0,
    effect: async (c) => (await prismaOf(c).user.count({ where: { email: str(input(c).email) } })) === 1,
  },
  {
    field: "Mutation.logIn",
    document: `mutation($input: LogInInput!) { logIn(input: $input) { token } }`,
    vars: (fx) => ({ input: { email: fx.neutral.email, password: PASSWORD } }),
    expect: ANYONE,
    audit: 0,
    effect: async (c) => works(c.w.t, (c.data as { logIn?: { token?: string } } | null)?.logIn?.token),
  },
  {
    field: "Mutation.logOut",
    document: `mutation { logOut }`,
    // Fresh sessions: logging out ends the one it is called with.
    as: { admin: (fx) => fx.fresh.session("aAdmin"), member: (fx) => fx.fresh.session("aMember"), otherAdmin: (fx) => fx.fresh.session("bAdmin") },
    // An API token has no session to end: it answers false.
    expect: { ...ANYONE, anonymous: "UNAUTHENTICATED" },
    audit: 0,
    effect: async (c) => {
      const answer = (c.data as { logOut?: boolean } | null)?.logOut;
      if (answer === true) return !(await works(c.w.t, c.token));
      return answer === false && (await works(c.w.t, c.token));
    },
  },

  // ---- Mutation: organisation ----
  {
    field: "Mutation.updateOrganization",
    document: `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { id pendingCustomDomain } }`,
    vars: (fx) => ({ input: { id: fx.a.orgId, customDomain: fx.domain() } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).organization.findUnique({ where: { id: c.w.a.orgId } }))?.pendingCustomDomain === input(c).customDomain,
  },
  {
    field: "Mutation.verifyCustomDomain",
    document: `mutation($organizationId: ID!) { verifyCustomDomain(organizationId: $organizationId) { id customDomain } }`,
    vars: async (fx) => ({ organizationId: fx.a.orgId, _domain: await fx.fresh.claimedDomain() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).organization.findUnique({ where: { id: c.w.a.orgId } }))?.customDomain === c.vars._domain,
  },

  // ---- Mutation: services ----
  {
    field: "Mutation.createService",
    document: `mutation($input: CreateServiceInput!) { createService(input: $input) { id name } }`,
    vars: (fx) => ({ input: { organizationId: fx.a.orgId, name: fx.name("new-svc") } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).service.count({ where: { organizationId: c.w.a.orgId, name: str(input(c).name) } })) === 1,
  },
  {
    field: "Mutation.updateService",
    document: `mutation($input: UpdateServiceInput!) { updateService(input: $input) { id name } }`,
    vars: async (fx) => ({ input: { id: await fx.fresh.service(), name: fx.name("renamed") } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).service.findUnique({ where: { id: str(input(c).id) } }))?.name === input(c).name,
  },
  {
    field: "Mutation.setServiceStatus",
    document: `mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id status } }`,
    vars: async (fx) => ({ input: { id: await fx.fresh.service(), status: "DEGRADED_PERFORMANCE" } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).service.findUnique({ where: { id: str(input(c).id) } }))?.status === "DEGRADED_PERFORMANCE",
  },
  {
    field: "Mutation.deleteService",
    document: `mutation($id: ID!) { deleteService(id: $id) }`,
    vars: async (fx) => ({ id: await fx.fresh.service() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).service.findUnique({ where: { id: str(c.vars.id) } }))?.deletedAt != null,
  },

  // ---- Mutation: incidents ----
  {
    field: "Mutation.createIncident",
    document: `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id title } }`,
    vars: async (fx) => ({ input: { serviceIds: [await fx.fresh.service()], title: fx.name("incident"), message: "Looking", impact: "PARTIAL_OUTAGE" } }),
    expect: ADMIN_WRITE,
    mixed: { vars: async (fx) => ({ input: { serviceIds: [fx.b.serviceId, await fx.fresh.service()], title: fx.name("incident"), message: "Looking", impact: "PARTIAL_OUTAGE" } }) },
    effect: async (c) => (await prismaOf(c).incident.count({ where: { organizationId: c.w.a.orgId, title: str(input(c).title) } })) === 1,
  },
  {
    field: "Mutation.updateIncident",
    document: `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id status } }`,
    vars: async (fx) => ({ input: { id: await fx.fresh.incident(), status: "IDENTIFIED", message: "Found it" } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).incident.findUnique({ where: { id: str(input(c).id) } }))?.status === "IDENTIFIED",
  },
  {
    field: "Mutation.deleteIncident",
    document: `mutation($id: ID!) { deleteIncident(id: $id) }`,
    vars: async (fx) => ({ id: await fx.fresh.incident() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).incident.findUnique({ where: { id: str(c.vars.id) } }))?.deletedAt != null,
  },

  // ---- Mutation: maintenance ----
  {
    field: "Mutation.scheduleMaintenance",
    document: `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id title } }`,
    vars: (fx) => {
      const start = new Date(Date.now() + 2 * 86_400_000);
      return { input: { organizationId: fx.a.orgId, serviceIds: [fx.a.spareServiceId], title: fx.name("window"), scheduledStart: start, scheduledEnd: new Date(start.getTime() + 3_600_000) } };
    },
    expect: ADMIN_WRITE,
    mixed: {
      vars: (fx) => {
        const start = new Date(Date.now() + 2 * 86_400_000);
        return { input: { organizationId: fx.b.orgId, serviceIds: [fx.a.spareServiceId], title: fx.name("window"), scheduledStart: start, scheduledEnd: new Date(start.getTime() + 3_600_000) } };
      },
    },
    effect: async (c) => (await prismaOf(c).maintenance.count({ where: { organizationId: c.w.a.orgId, title: str(input(c).title) } })) === 1,
  },
  {
    field: "Mutation.updateMaintenance",
    document: `mutation($input: UpdateMaintenanceInput!) { updateMaintenance(input: $input) { id title } }`,
    vars: async (fx) => ({ input: { id: await fx.fresh.maintenance(), title: fx.name("moved") } }),
    expect: ADMIN_WRITE,
    mixed: { vars: (fx) => ({ input: { id: fx.b.maintenanceId, serviceIds: [fx.b.serviceId, fx.a.spareServiceId] } }) },
    effect: async (c) => (await prismaOf(c).maintenance.findUnique({ where: { id: str(input(c).id) } }))?.title === input(c).title,
  },
  {
    field: "Mutation.cancelMaintenance",
    document: `mutation($id: ID!) { cancelMaintenance(id: $id) { id status } }`,
    vars: async (fx) => ({ id: await fx.fresh.maintenance() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).maintenance.findUnique({ where: { id: str(c.vars.id) } }))?.status === "CANCELLED",
  },

  // ---- Mutation: members and invitations ----
  {
    field: "Mutation.inviteMember",
    document: `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { url invitation { id email role } } }`,
    vars: (fx) => ({ input: { organizationId: fx.a.orgId, email: fx.email("invitee"), role: "MEMBER" } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).invitation.count({ where: { organizationId: c.w.a.orgId, email: str(input(c).email) } })) === 1,
  },
  {
    field: "Mutation.revokeInvitation",
    document: `mutation($id: ID!) { revokeInvitation(id: $id) }`,
    vars: async (fx) => ({ id: (await fx.fresh.invitation()).id }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).invitation.findUnique({ where: { id: str(c.vars.id) } }))?.revokedAt != null,
  },
  {
    // Anyone holding the link (the secret is the authority); a new address makes an account.
    field: "Mutation.acceptInvitation",
    document: `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id } } }`,
    vars: async (fx) => {
      const invitation = await fx.fresh.invitation();
      return { input: { token: invitation.token, name: "Invited Person", password: PASSWORD }, _id: invitation.id };
    },
    expect: ANYONE,
    effect: async (c) => (await prismaOf(c).invitation.findUnique({ where: { id: str(c.vars._id) } }))?.acceptedAt != null,
  },
  {
    field: "Mutation.updateMemberRole",
    document: `mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role user { id } } }`,
    vars: async (fx) => ({ input: { organizationId: fx.a.orgId, userId: (await fx.fresh.member()).userId, role: "ADMIN" } }),
    expect: ADMIN_WRITE,
    mixed: { vars: (fx) => ({ input: { organizationId: fx.b.orgId, userId: fx.a.memberUserId, role: "ADMIN" } }) },
    effect: async (c) =>
      (await prismaOf(c).membership.findUnique({ where: { organizationId_userId: { organizationId: c.w.a.orgId, userId: str(input(c).userId) } } }))?.role === "ADMIN",
  },
  {
    field: "Mutation.removeMember",
    document: `mutation($input: RemoveMemberInput!) { removeMember(input: $input) }`,
    vars: async (fx) => ({ input: { organizationId: fx.a.orgId, userId: (await fx.fresh.member()).userId } }),
    expect: ADMIN_WRITE,
    mixed: { vars: (fx) => ({ input: { organizationId: fx.b.orgId, userId: fx.a.memberUserId } }) },
    effect: async (c) =>
      (await prismaOf(c).membership.findUnique({ where: { organizationId_userId: { organizationId: c.w.a.orgId, userId: str(input(c).userId) } } })) === null,
  },
  {
    // The signed-in person leaves: fresh people, so that A keeps its actors (and its last admin).
    field: "Mutation.leaveOrganization",
    document: `mutation($organizationId: ID!) { leaveOrganization(organizationId: $organizationId) }`,
    vars: (fx) => ({ organizationId: fx.a.orgId }),
    as: { admin: async (fx) => (await fx.fresh.member("ADMIN")).token, member: async (fx) => (await fx.fresh.member()).token },
    // An API token is nobody who could leave.
    expect: { ...ADMIN_WRITE, member: "allowed", memberToken: "FORBIDDEN" },
    effect: (c) => c.after.members === c.before.members - 1,
  },

  // ---- Mutation: API tokens ----
  {
    field: "Mutation.createApiToken",
    document: `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name } } }`,
    vars: (fx) => ({ input: { organizationId: fx.a.orgId, name: fx.name("token"), role: "MEMBER" } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).apiToken.count({ where: { organizationId: c.w.a.orgId, name: str(input(c).name) } })) === 1,
  },
  {
    field: "Mutation.revokeApiToken",
    document: `mutation($id: ID!) { revokeApiToken(id: $id) }`,
    vars: async (fx) => ({ id: await fx.fresh.apiToken() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).apiToken.findUnique({ where: { id: str(c.vars.id) } }))?.revokedAt != null,
  },

  // ---- Mutation: webhooks ----
  {
    field: "Mutation.createWebhook",
    document: `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url } } }`,
    vars: (fx) => ({ input: { organizationId: fx.a.orgId, url: `https://${fx.name("hook")}.invalid/in`, kinds: ["INCIDENT_CREATED"], format: "SLACK" } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).webhook.count({ where: { organizationId: c.w.a.orgId, url: str(input(c).url) } })) === 1,
  },
  {
    field: "Mutation.updateWebhook",
    document: `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id enabled } }`,
    vars: async (fx) => ({ input: { id: await fx.fresh.webhook(), enabled: false, kinds: ["INCIDENT_RESOLVED"] } }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).webhook.findUnique({ where: { id: str(input(c).id) } }))?.enabled === false,
  },
  {
    field: "Mutation.deleteWebhook",
    document: `mutation($id: ID!) { deleteWebhook(id: $id) }`,
    vars: async (fx) => ({ id: await fx.fresh.webhook() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).webhook.findUnique({ where: { id: str(c.vars.id) } }))?.deletedAt != null,
  },
  {
    field: "Mutation.sendTestWebhook",
    document: `mutation($id: ID!) { sendTestWebhook(id: $id) { id eventCursor attempt succeeded error } }`,
    vars: async (fx) => ({ id: await fx.fresh.webhook() }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).webhookDelivery.count({ where: { webhookId: str(c.vars.id) } })) === 1,
  },
  {
    field: "Mutation.redeliverWebhook",
    document: `mutation($deliveryId: ID!) { redeliverWebhook(deliveryId: $deliveryId) { id attempt succeeded } }`,
    vars: async (fx) => ({ deliveryId: await fx.fresh.webhookDelivery() }),
    expect: ADMIN_WRITE,
    effect: async (c) => {
      const original = await prismaOf(c).webhookDelivery.findUnique({ where: { id: str(c.vars.deliveryId) } });
      return original !== null && (await prismaOf(c).webhookDelivery.count({ where: { webhookId: original.webhookId } })) === 2;
    },
  },

  // ---- Mutation: email subscribers (the four public ones: anyone, with the links' tokens) ----
  {
    field: "Mutation.subscribeToStatusPage",
    document: `mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`,
    vars: (fx) => ({ input: { slug: fx.a.slug, email: fx.email("subscriber"), serviceIds: [fx.a.serviceId] } }),
    expect: ANYONE,
    public: true,
    effect: async (c) => (await prismaOf(c).subscriber.count({ where: { organizationId: c.w.a.orgId, email: str(input(c).email) } })) === 1,
  },
  {
    field: "Mutation.confirmSubscription",
    document: `mutation($token: String!) { confirmSubscription(token: $token) { confirmed page { slug name } services { id name } } }`,
    vars: async (fx) => {
      const subscriber = await fx.fresh.subscriber();
      return { token: subscriber.confirmToken, _id: subscriber.id };
    },
    expect: ANYONE,
    public: true,
    effect: async (c) => (await prismaOf(c).subscriber.findUnique({ where: { id: str(c.vars._id) } }))?.confirmedAt != null,
  },
  {
    field: "Mutation.updateSubscription",
    document: `mutation($input: UpdateSubscriptionInput!) { updateSubscription(input: $input) { confirmed services { id name } } }`,
    vars: async (fx) => {
      const subscriber = await fx.fresh.subscriber(true);
      return { input: { token: subscriber.manageToken, serviceIds: [fx.a.spareServiceId] }, _id: subscriber.id };
    },
    expect: ANYONE,
    public: true,
    effect: async (c) => (await prismaOf(c).subscriber.findUnique({ where: { id: str(c.vars._id) } }))?.serviceIds.join() === c.w.fx.a.spareServiceId,
  },
  {
    field: "Mutation.unsubscribe",
    document: `mutation($token: String!) { unsubscribe(token: $token) }`,
    vars: async (fx) => {
      const subscriber = await fx.fresh.subscriber(true);
      return { token: subscriber.manageToken, _id: subscriber.id };
    },
    expect: ANYONE,
    public: true,
    effect: async (c) => (await prismaOf(c).subscriber.count({ where: { id: str(c.vars._id) } })) === 0,
  },
  {
    field: "Mutation.removeSubscriber",
    document: `mutation($id: ID!) { removeSubscriber(id: $id) }`,
    vars: async (fx) => ({ id: (await fx.fresh.subscriber(true)).id }),
    expect: ADMIN_WRITE,
    effect: async (c) => (await prismaOf(c).subscriber.count({ where: { id: str(c.vars.id) } })) === 0,
  },
];

/**
 * Fields that check authority in their resolver rather than with authScopes: the walk cannot see
 * them, so they are named here (and so must have an entry).
 */
export const SELF_AUTHORISED = ["User.memberships"];

/**
 * Exactly what /graphql/public may have (API.md: Query.statusPage, Subscription.statusPageEvents,
 * the public email-subscription mutations, and on what they reach only what a visitor may see).
 * Objects and inputs list their fields; enums and scalars are listed by name. A new public field
 * must be added here on purpose.
 */
export const PUBLIC_ALLOW_LIST: Record<string, string[]> = {
  Query: ["statusPage"],
  Mutation: ["confirmSubscription", "subscribeToStatusPage", "unsubscribe", "updateSubscription"],
  Subscription: ["statusPageEvents"],
  EmailSubscription: ["confirmed", "page", "services"],
  SubscribeInput: ["email", "serviceIds", "slug"],
  UpdateSubscriptionInput: ["serviceIds", "token"],
  StatusPage: ["activeIncidents", "cursor", "incident", "maintenances", "organization", "recentIncidents", "services", "status"],
  PublicOrganization: ["name", "slug"],
  PageStatus: ["description", "indicator", "updatedAt"],
  Service: ["activeIncidents", "createdAt", "description", "group", "id", "name", "position", "status", "statusSince", "statusSource", "updatedAt", "uptime"],
  StatusSource: ["incident", "kind", "maintenance"],
  UptimeDay: ["date", "incidentIds", "operationalRatio", "worstStatus"],
  Incident: ["affectedServices", "createdAt", "id", "resolvedAt", "status", "title", "updatedAt", "updates"],
  AffectedService: ["fromStatus", "service", "toStatus"],
  IncidentUpdate: ["createdAt", "id", "message", "status"],
  Maintenance: ["description", "id", "scheduledEnd", "scheduledStart", "services", "status", "title"],
  // The *Id fields name an object also once it is deleted or cancelled (its id and the kind only).
  StatusEvent: ["cursor", "incident", "incidentId", "kind", "maintenance", "maintenanceId", "occurredAt", "service", "serviceId", "serviceStatus"],
  DateTime: [],
  IncidentStatus: [],
  MaintenanceStatus: [],
  ServiceStatus: [],
  StatusEventKind: [],
  StatusIndicator: [],
  StatusSourceKind: [],
  Boolean: [],
  Float: [],
  ID: [],
  Int: [],
  String: [],
};

/** Names that must never exist on /graphql/public, whatever the allow-list says. */
export const NEVER_PUBLIC = {
  fields: ["members", "memberships", "apiTokens", "auditLog", "events", "invitations", "webhooks", "subscribers", "email", "viewer", "token", "secret", "customDomainChallenge", "pendingCustomDomain"],
  types: ["User", "Membership", "Organization", "ApiToken", "AuditEntry", "Invitation", "Webhook", "WebhookDelivery", "Subscriber", "AuthPayload", "CustomDomainChallenge"],
};
