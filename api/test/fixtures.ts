// A tenant with every kind of caller the tests need: an admin and a member (sessions), an
// ADMIN and a MEMBER API token, and one service.
import { ok, unique, type TestApp } from "./harness.ts";

export interface Tenant {
  orgId: string;
  slug: string;
  admin: string;
  member: string;
  adminEmail: string;
  memberEmail: string;
  memberUserId: string;
  adminUserId: string;
  adminApiToken: string;
  memberApiToken: string;
  serviceId: string;
}

export const PASSWORD = "correct-horse-battery";

export async function signUp(t: TestApp, name = unique("org")) {
  const email = `${unique("admin")}@example.com`;
  const data = ok(
    await t.gql<{ signUp: { token: string; user: { id: string; memberships: { organization: { id: string; slug: string } }[] } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id memberships { organization { id slug } } } } }`,
      { input: { email, password: PASSWORD, name: "Admin", organizationName: name } },
    ),
  );
  const org = data.signUp.user.memberships[0]!.organization;
  return { token: data.signUp.token, userId: data.signUp.user.id, orgId: org.id, slug: org.slug, email };
}

export async function createTenant(t: TestApp): Promise<Tenant> {
  const owner = await signUp(t);
  const memberEmail = `${unique("member")}@example.com`;
  const added = ok(
    await t.gql<{ addMember: { user: { id: string } } }>(
      `mutation($input: AddMemberInput!) { addMember(input: $input) { user { id } } }`,
      { input: { organizationId: owner.orgId, email: memberEmail, role: "MEMBER", name: "Member", password: PASSWORD } },
      { token: owner.token },
    ),
  );
  const member = ok(
    await t.gql<{ logIn: { token: string } }>(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: memberEmail, password: PASSWORD },
    }),
  ).logIn.token;
  const apiToken = async (role: string) =>
    ok(
      await t.gql<{ createApiToken: { token: string } }>(
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
        { input: { organizationId: owner.orgId, name: `${role} token`, role } },
        { token: owner.token },
      ),
    ).createApiToken.token;
  const service = ok(
    await t.gql<{ createService: { id: string } }>(
      `mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`,
      { input: { organizationId: owner.orgId, name: "API" } },
      { token: owner.token },
    ),
  );
  return {
    orgId: owner.orgId,
    slug: owner.slug,
    admin: owner.token,
    adminEmail: owner.email,
    memberEmail,
    adminUserId: owner.userId,
    member,
    memberUserId: added.addMember.user.id,
    adminApiToken: await apiToken("ADMIN"),
    memberApiToken: await apiToken("MEMBER"),
    serviceId: service.createService.id,
  };
}

export async function createService(t: TestApp, tenant: Pick<Tenant, "orgId" | "admin">, name = unique("svc")): Promise<string> {
  return ok(
    await t.gql<{ createService: { id: string } }>(
      `mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`,
      { input: { organizationId: tenant.orgId, name } },
      { token: tenant.admin },
    ),
  ).createService.id;
}
