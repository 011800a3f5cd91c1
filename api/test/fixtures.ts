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

/** The secret of an invitation link (the part after '#'). */
export const tokenOfLink = (url: string) => new URL(url).hash.slice(1);

/** An admin invites `email`; returns the link and the invitation's id. */
export async function invite(t: TestApp, org: { orgId: string; admin: string }, email: string, role = "MEMBER") {
  const data = ok(
    await t.gql<{ inviteMember: { url: string; invitation: { id: string } } }>(
      `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { url invitation { id } } }`,
      { input: { organizationId: org.orgId, email, role } },
      { token: org.admin },
    ),
  );
  return { url: data.inviteMember.url, id: data.inviteMember.invitation.id };
}

/** Accepts an invitation link; for a new address `name` and `password` make the account. */
export async function accept(t: TestApp, url: string, input: { name?: string; password?: string } = {}, token?: string) {
  return ok(
    await t.gql<{ acceptInvitation: { token: string; user: { id: string } } }>(
      `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id } } }`,
      { input: { token: tokenOfLink(url), ...input } },
      { token },
    ),
  ).acceptInvitation;
}

/** A new person joins `org` through an invitation; returns their session and user id. */
export async function join(t: TestApp, org: { orgId: string; admin: string }, email = `${unique("member")}@example.com`, role = "MEMBER") {
  const { url } = await invite(t, org, email, role);
  const accepted = await accept(t, url, { name: "Member", password: PASSWORD });
  return { token: accepted.token, userId: accepted.user.id, email };
}

export async function createTenant(t: TestApp): Promise<Tenant> {
  const owner = await signUp(t);
  const joined = await join(t, { orgId: owner.orgId, admin: owner.token });
  const memberEmail = joined.email;
  const member = joined.token;
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
    memberUserId: joined.userId,
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
