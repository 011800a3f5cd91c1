// For every entity and every operation: admin can; a MEMBER writing is FORBIDDEN; another
// organisation gets NOT_FOUND (and nothing changes); anonymous is UNAUTHENTICATED; API tokens
// act with their role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, PASSWORD, type Tenant } from "./fixtures.ts";
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
  const data = await adminCall<{ addMember: { user: { id: string } } }>(
    `mutation($input: AddMemberInput!) { addMember(input: $input) { user { id } } }`,
    { input: { organizationId: a.orgId, email: `${unique("m")}@example.com`, role: "MEMBER", name: "M", password: PASSWORD } },
  );
  return data.addMember.user.id;
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
  { name: "createService", query: `mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, variables: () => Promise.resolve({ input: { organizationId: a.orgId, name: "New" } }) },
  { name: "updateService", query: `mutation($input: UpdateServiceInput!) { updateService(input: $input) { id } }`, variables: async () => ({ input: { id: await createService(t, a), name: "Renamed" } }) },
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
    name: "addMember",
    query: `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`,
    variables: () => Promise.resolve({ input: { organizationId: a.orgId, email: `${unique("n")}@example.com`, role: "MEMBER", name: "N", password: PASSWORD } }),
  },
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

describe("reads", () => {
  const READ = `query($slug: String!, $service: ID!) { organization(slug: $slug) {
    id slug services { id } service(id: $service) { id } incidents { nodes { id } } maintenances(state: ALL) { id }
    status { indicator } events { cursor kind } } }`;
  const ADMIN_ONLY = {
    members: `query($slug: String!) { organization(slug: $slug) { members { role user { email } } } }`,
    apiTokens: `query($slug: String!) { organization(slug: $slug) { apiTokens { id name } } }`,
    auditLog: `query($slug: String!) { organization(slug: $slug) { auditLog { nodes { action actor } } } }`,
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

  it("refuses to add someone twice (CONFLICT) and needs a password for a new account", async () => {
    const email = `${unique("twice")}@example.com`;
    const add = (extra: Record<string, unknown>) =>
      t.gql(`mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`, { input: { organizationId: a.orgId, email, role: "MEMBER", ...extra } }, { token: a.admin });
    const noPassword = await add({ name: "T" });
    expect(codeOf(noPassword)).toBe("BAD_USER_INPUT");
    expect(noPassword.errors?.[0]?.extensions?.field).toBe("password");
    ok(await add({ name: "T", password: PASSWORD }));
    expect(codeOf(await add({}))).toBe("CONFLICT");
  });

  it("an existing account joins another organisation as it is", async () => {
    const email = `${unique("both")}@example.com`;
    ok(await t.gql(`mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`, { input: { organizationId: a.orgId, email, role: "MEMBER", name: "Both", password: PASSWORD } }, { token: a.admin }));
    ok(await t.gql(`mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`, { input: { organizationId: b.orgId, email, role: "ADMIN" } }, { token: b.admin }));
    const session = ok(await t.gql<{ logIn: { token: string } }>(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email, password: PASSWORD } })).logIn.token;
    const viewer = ok(await t.gql<{ viewer: { memberships: { role: string; organization: { slug: string } }[] } }>(`{ viewer { memberships { role organization { slug } } } }`, {}, { token: session }));
    expect(viewer.viewer.memberships).toEqual(expect.arrayContaining([{ role: "MEMBER", organization: { slug: a.slug } }, { role: "ADMIN", organization: { slug: b.slug } }]));
  });
});
