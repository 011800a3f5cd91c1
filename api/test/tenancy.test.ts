// For every entity and every operation: admin can; a MEMBER writing is FORBIDDEN; another
// organisation gets NOT_FOUND (and nothing changes); anonymous is UNAUTHENTICATED; API tokens
// act with their role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accept, createService, createTenant, invite, join, PASSWORD, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type TestApp } from "./harness.ts";

let t: TestApp;
let a: Tenant; // the organisation acted on
let b: Tenant; // another organisation
beforeAll(async () => {
  t = await startTestApp();
  [a, b] = [await createTenant(t), await createTenant(t)];
});
afterAll(() => t?.stop());

type Caller = "admin" | "adminApiToken" | "member" | "memberApiToken" | "otherAdmin" | "otherAdminApiToken" | "anonymous";
const tokenOf = (caller: Caller): string | undefined =>
  ({
    admin: a.admin,
    adminApiToken: a.adminApiToken,
    member: a.member,
    memberApiToken: a.memberApiToken,
    otherAdmin: b.admin,
    otherAdminApiToken: b.adminApiToken,
    anonymous: undefined,
  })[caller];

const adminCall = <T>(query: string, variables: Record<string, unknown>) => t.gql<T>(query, variables, { token: a.admin }).then(ok);

async function freshIncident(): Promise<string> {
  const serviceId = await createService(t, a);
  const data = await adminCall<{ createIncident: { id: string } }>(
    `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
    { input: { serviceIds: [serviceId], title: "Down", message: "Looking", impact: "MAJOR_OUTAGE" } },
  );
  return data.createIncident.id;
}

async function freshMaintenance(): Promise<string> {
  const serviceId = await createService(t, a);
  const start = new Date(Date.now() + 86_400_000);
  const data = await adminCall<{ scheduleMaintenance: { id: string } }>(
    `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
    { input: { organizationId: a.orgId, serviceIds: [serviceId], title: "Upgrade", scheduledStart: start, scheduledEnd: new Date(start.getTime() + 3_600_000) } },
  );
  return data.scheduleMaintenance.id;
}

async function freshMember(): Promise<string> {
  return (await join(t, a)).userId;
}

async function freshInvitationId(): Promise<string> {
  return (await invite(t, a, `${unique("i")}@example.com`)).id;
}

async function freshApiTokenId(): Promise<string> {
  const data = await adminCall<{ createApiToken: { apiToken: { id: string } } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { apiToken { id } } }`,
    { input: { organizationId: a.orgId, name: "x", role: "MEMBER" } },
  );
  return data.createApiToken.apiToken.id;
}

interface WriteCase {
  name: string;
  query: string;
  variables: () => Promise<Record<string, unknown>>;
}

const writes: WriteCase[] = [
  { name: "createService", query: `mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, variables: () => Promise.resolve({ input: { organizationId: a.orgId, name: unique("New") } }) },
  { name: "updateService", query: `mutation($input: UpdateServiceInput!) { updateService(input: $input) { id } }`, variables: async () => ({ input: { id: await createService(t, a), name: unique("Renamed") } }) },
  { name: "setServiceStatus", query: `mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id } }`, variables: async () => ({ input: { id: await createService(t, a), status: "DEGRADED_PERFORMANCE" } }) },
  { name: "deleteService", query: `mutation($id: ID!) { deleteService(id: $id) }`, variables: async () => ({ id: await createService(t, a) }) },
  {
    name: "createIncident",
    query: `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
    variables: async () => ({ input: { serviceIds: [await createService(t, a)], title: "Down", message: "m", impact: "PARTIAL_OUTAGE" } }),
  },
  { name: "updateIncident", query: `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`, variables: async () => ({ input: { id: await freshIncident(), status: "IDENTIFIED", message: "Found it" } }) },
  { name: "deleteIncident", query: `mutation($id: ID!) { deleteIncident(id: $id) }`, variables: async () => ({ id: await freshIncident() }) },
  {
    name: "scheduleMaintenance",
    query: `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
    variables: async () => ({
      input: { organizationId: a.orgId, serviceIds: [await createService(t, a)], title: "Window", scheduledStart: new Date(Date.now() + 3_600_000), scheduledEnd: new Date(Date.now() + 7_200_000) },
    }),
  },
  { name: "updateMaintenance", query: `mutation($input: UpdateMaintenanceInput!) { updateMaintenance(input: $input) { id } }`, variables: async () => ({ input: { id: await freshMaintenance(), title: "Moved" } }) },
  { name: "cancelMaintenance", query: `mutation($id: ID!) { cancelMaintenance(id: $id) { id } }`, variables: async () => ({ id: await freshMaintenance() }) },
  {
    name: "inviteMember",
    query: `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { url invitation { id } } }`,
    variables: () => Promise.resolve({ input: { organizationId: a.orgId, email: `${unique("n")}@example.com`, role: "MEMBER" } }),
  },
  { name: "revokeInvitation", query: `mutation($id: ID!) { revokeInvitation(id: $id) }`, variables: async () => ({ id: await freshInvitationId() }) },
  { name: "updateMemberRole", query: `mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`, variables: async () => ({ input: { organizationId: a.orgId, userId: await freshMember(), role: "ADMIN" } }) },
  { name: "removeMember", query: `mutation($input: RemoveMemberInput!) { removeMember(input: $input) }`, variables: async () => ({ input: { organizationId: a.orgId, userId: await freshMember() } }) },
  { name: "createApiToken", query: `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, variables: () => Promise.resolve({ input: { organizationId: a.orgId, name: "t", role: "MEMBER" } }) },
  { name: "revokeApiToken", query: `mutation($id: ID!) { revokeApiToken(id: $id) }`, variables: async () => ({ id: await freshApiTokenId() }) },
];

const EXPECTED: Record<Caller, string> = {
  admin: "ok",
  adminApiToken: "ok",
  member: "FORBIDDEN",
  memberApiToken: "FORBIDDEN",
  otherAdmin: "NOT_FOUND",
  otherAdminApiToken: "NOT_FOUND",
  anonymous: "UNAUTHENTICATED",
};

/** Everything a refused call must leave untouched: the audit log and the event log. */
async function footprint(orgId: string) {
  const prisma = t.app.services.db.prisma;
  const [audit, events] = await Promise.all([prisma.auditEntry.count({ where: { organizationId: orgId } }), prisma.event.count({ where: { organizationId: orgId } })]);
  return { audit, events };
}

describe.each(writes)("$name", (write) => {
  it.each(Object.keys(EXPECTED) as Caller[])("as %s", async (caller) => {
    const variables = await write.variables();
    const before = await footprint(a.orgId);
    const result = await t.gql(write.query, variables, { token: tokenOf(caller) });
    if (EXPECTED[caller] === "ok") {
      expect(result.errors).toBeUndefined();
      expect((await footprint(a.orgId)).audit).toBe(before.audit + 1);
    } else {
      expect(codeOf(result)).toBe(EXPECTED[caller]);
      expect(result.data ?? null).toBeNull();
      expect(await footprint(a.orgId)).toEqual(before);
      // no error ever names another tenant's objects
      if (caller.startsWith("other")) expect(JSON.stringify(result.errors)).not.toContain(a.slug);
    }
  });
});

// A service's and an incident's owner is remembered once seen (graphql/owners.ts): the same
// answers hold for an object the admin has just changed, and for one deleted since.
describe("objects whose owner the server already knows", () => {
  const RENAME_INCIDENT = `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`;
  const SET_STATUS = `mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id } }`;

  it.each(["otherAdmin", "otherAdminApiToken", "member", "anonymous"] as Caller[])("%s gets the same refusal after the admin's change", async (caller) => {
    const incident = await freshIncident();
    const service = await createService(t, a);
    await adminCall(RENAME_INCIDENT, { input: { id: incident, title: "Known" } });
    await adminCall(SET_STATUS, { input: { id: service, status: "DEGRADED_PERFORMANCE" } });
    const before = await footprint(a.orgId);
    for (const [query, input] of [
      [RENAME_INCIDENT, { id: incident, title: "Taken" }],
      [SET_STATUS, { id: service, status: "MAJOR_OUTAGE" }],
    ] as const) {
      const result = await t.gql(query, { input }, { token: tokenOf(caller) });
      expect(codeOf(result)).toBe(EXPECTED[caller]);
      expect(result.data ?? null).toBeNull();
    }
    expect(await footprint(a.orgId)).toEqual(before);
  });

  it("a deleted service or incident is NOT_FOUND to its own admin, as if never known", async () => {
    const incident = await freshIncident();
    const service = await createService(t, a);
    await adminCall(RENAME_INCIDENT, { input: { id: incident, title: "Known" } });
    await adminCall(SET_STATUS, { input: { id: service, status: "DEGRADED_PERFORMANCE" } });
    await adminCall(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id: incident });
    await adminCall(`mutation($id: ID!) { deleteService(id: $id) }`, { id: service });
    const before = await footprint(a.orgId);
    const renamed = await t.gql(RENAME_INCIDENT, { input: { id: incident, title: "Again" } }, { token: a.admin });
    expect(codeOf(renamed)).toBe("NOT_FOUND");
    expect(JSON.stringify(renamed.errors)).toContain("Incident not found.");
    const set = await t.gql(SET_STATUS, { input: { id: service, status: "OPERATIONAL" } }, { token: a.admin });
    expect(codeOf(set)).toBe("NOT_FOUND");
    expect(JSON.stringify(set.errors)).toContain("Service not found.");
    expect(await footprint(a.orgId)).toEqual(before);
  });
});

describe("reads", () => {
  const READ = `query($slug: String!, $service: ID!) { organization(slug: $slug) {
    id slug services { id } service(id: $service) { id } incidents { nodes { id } } maintenances(state: ALL) { id }
    status { indicator } events { cursor kind } } }`;
  const ADMIN_ONLY = {
    members: `query($slug: String!) { organization(slug: $slug) { members { role user { email } } } }`,
    apiTokens: `query($slug: String!) { organization(slug: $slug) { apiTokens { id name } } }`,
    auditLog: `query($slug: String!) { organization(slug: $slug) { auditLog { nodes { action actor } } } }`,
    invitations: `query($slug: String!) { organization(slug: $slug) { invitations { id email role } } }`,
  };

  it.each(["admin", "adminApiToken", "member", "memberApiToken"] as Caller[])("%s reads the organisation", async (caller) => {
    const data = ok(await t.gql<{ organization: { id: string; service: { id: string } | null; events: unknown[] } }>(READ, { slug: a.slug, service: a.serviceId }, { token: tokenOf(caller) }));
    expect(data.organization.id).toBe(a.orgId);
    expect(data.organization.service?.id).toBe(a.serviceId);
    expect(data.organization.events.length).toBeGreaterThan(0);
  });

  it.each(["otherAdmin", "otherAdminApiToken"] as Caller[])("%s sees nothing of it", async (caller) => {
    const data = ok(await t.gql<{ organization: unknown }>(READ, { slug: a.slug, service: a.serviceId }, { token: tokenOf(caller) }));
    expect(data.organization).toBeNull();
    // and its own organisation does not reveal a's objects by id
    const own = ok(await t.gql<{ organization: { service: unknown; incident: unknown } }>(
      `query($slug: String!, $id: ID!) { organization(slug: $slug) { service(id: $id) { id } incident(id: $id) { id } } }`,
      { slug: b.slug, id: a.serviceId },
      { token: tokenOf(caller) },
    ));
    expect(own.organization).toEqual({ service: null, incident: null });
  });

  it("anonymous is UNAUTHENTICATED", async () => {
    expect(codeOf(await t.gql(READ, { slug: a.slug, service: a.serviceId }))).toBe("UNAUTHENTICATED");
  });

  describe.each(Object.entries(ADMIN_ONLY))("%s", (_, query) => {
    it.each(["admin", "adminApiToken"] as Caller[])("%s may read", async (caller) => {
      const result = await t.gql(query, { slug: a.slug }, { token: tokenOf(caller) });
      expect(result.errors).toBeUndefined();
    });
    it.each(["member", "memberApiToken"] as Caller[])("%s is FORBIDDEN", async (caller) => {
      expect(codeOf(await t.gql(query, { slug: a.slug }, { token: tokenOf(caller) }))).toBe("FORBIDDEN");
    });
    it("another organisation gets null", async () => {
      expect(ok(await t.gql<{ organization: unknown }>(query, { slug: a.slug }, { token: b.admin })).organization).toBeNull();
    });
  });
});

describe("members", () => {
  it("keeps the last admin: demoting or removing them is INVALID_TRANSITION", async () => {
    const demote = await t.gql(`mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`, {
      input: { organizationId: b.orgId, userId: b.adminUserId, role: "MEMBER" },
    }, { token: b.admin });
    expect(codeOf(demote)).toBe("INVALID_TRANSITION");
    const remove = await t.gql(`mutation($input: RemoveMemberInput!) { removeMember(input: $input) }`, { input: { organizationId: b.orgId, userId: b.adminUserId } }, { token: b.admin });
    expect(codeOf(remove)).toBe("INVALID_TRANSITION");
  });

  it("nobody sets another's password: addMember is gone", async () => {
    const result = await t.gql(`mutation { addMember(input: { organizationId: "x", email: "x@example.com", role: MEMBER, password: "p" }) { role } }`, {}, { token: a.admin });
    expect(result.errors?.[0]?.message).toMatch(/addMember/);
    expect(result.data ?? null).toBeNull();
  });

  it("an account made with someone else's address is taken over by the invitation, not joined", async () => {
    // The attack issue 9 describes: the attacker signs up with the victim's address first (an
    // admin of another organisation could no longer even set a password for it).
    const email = `${unique("victim")}@example.com`;
    const attacker = ok(await t.gql<{ signUp: { token: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
      { input: { email, password: PASSWORD, name: "Not the victim", organizationName: unique("evil") } },
    )).signUp;
    const { url } = await invite(t, b, email, "MEMBER");
    expect(ok(await t.gql<{ organization: unknown }>(`query($s: String!) { organization(slug: $s) { id } }`, { s: b.slug }, { token: attacker.token })).organization).toBeNull();
    const victim = await accept(t, url, { password: "the-victims-own-password" });
    expect(victim.user.id).toBe(attacker.user.id); // the same account, now the address owner's
    expect(codeOf(await t.gql(`{ viewer { id } }`, {}, { token: attacker.token }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.gql(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email, password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    const memberships = ok(await t.gql<{ viewer: { memberships: { role: string; organization: { slug: string } }[] } }>(`{ viewer { memberships { role organization { slug } } } }`, {}, { token: victim.token }));
    expect(memberships.viewer.memberships).toEqual(expect.arrayContaining([{ role: "MEMBER", organization: { slug: b.slug } }]));
  });
});

describe("leaveOrganization", () => {
  const LEAVE = `mutation($id: ID!) { leaveOrganization(organizationId: $id) }`;

  it("a member leaves: their membership and access end, audited", async () => {
    const m = await join(t, a);
    const before = await footprint(a.orgId);
    expect(ok(await t.gql<{ leaveOrganization: string }>(LEAVE, { id: a.orgId }, { token: m.token })).leaveOrganization).toBe(a.orgId);
    expect((await footprint(a.orgId)).audit).toBe(before.audit + 1);
    expect(ok(await t.gql<{ organization: unknown }>(`query($s: String!) { organization(slug: $s) { id } }`, { s: a.slug }, { token: m.token })).organization).toBeNull();
    expect(codeOf(await t.gql(LEAVE, { id: a.orgId }, { token: m.token }))).toBe("NOT_FOUND");
  });

  it("the last admin cannot leave (INVALID_TRANSITION)", async () => {
    const before = await footprint(b.orgId);
    expect(codeOf(await t.gql(LEAVE, { id: b.orgId }, { token: b.admin }))).toBe("INVALID_TRANSITION");
    expect(await footprint(b.orgId)).toEqual(before);
  });

  it.each([
    ["adminApiToken", "FORBIDDEN"],
    ["memberApiToken", "FORBIDDEN"],
    ["otherAdmin", "NOT_FOUND"],
    ["otherAdminApiToken", "NOT_FOUND"],
    ["anonymous", "UNAUTHENTICATED"],
  ] as [Caller, string][])("as %s: %s, nothing changes", async (caller, code) => {
    const before = await footprint(a.orgId);
    const result = await t.gql(LEAVE, { id: a.orgId }, { token: tokenOf(caller) });
    expect(codeOf(result)).toBe(code);
    expect(result.data ?? null).toBeNull();
    expect(await footprint(a.orgId)).toEqual(before);
  });
});
