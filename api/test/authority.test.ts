// Authority is checked where it is used (issue 9, hole 1): a revoked token, a removed member, a
// changed role and a logout take effect on connections that are already open — WebSocket and
// SSE, on every instance — not only on the next HTTP request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, signUp, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, type TestApp } from "./harness.ts";
import { connectWs, ORG_EVENTS, subscribeSse, type Received, type WsConnection } from "./realtime-kit.ts";

const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id status } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(id: $id) }`;
const STATUS = `query($slug: String!) { organization(slug: $slug) { service: services { id status } } }`;
const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one operation over an open socket and returns its first result (or error). */
async function over(connection: WsConnection, query: string, variables: Record<string, unknown>): Promise<Received> {
  const [result] = await connection.subscribe(query, variables).waitFor(1, 5_000);
  return result!;
}
const codeIn = (result: Received) => result.errors?.[0]?.extensions?.code;

/**
 * The operation was refused: either answered UNAUTHENTICATED, or the socket was already closed
 * with 4401 by the Authority before it could be sent (which of the two wins is timing).
 */
async function refused(connection: WsConnection, result: Received): Promise<void> {
  if (codeIn(result) === "UNAUTHENTICATED") return;
  expect((await closesWithin(connection.closed, 3_000)).value.code).toBe(4401);
}

/** Milliseconds until `closed` settles, or a failure after `limitMs`. */
async function closesWithin<T>(closed: Promise<T>, limitMs: number): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await Promise.race([closed, settle(limitMs).then(() => Promise.reject(new Error(`still open after ${limitMs} ms`)))]);
  return { value, ms: Math.round(performance.now() - started) };
}

async function newAdminToken(t: TestApp, tenant: Tenant): Promise<{ token: string; id: string }> {
  const data = ok(await t.gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE_TOKEN, { input: { organizationId: tenant.orgId, name: "socket", role: "ADMIN" } }, { token: tenant.admin }));
  return { token: data.createApiToken.token, id: data.createApiToken.apiToken.id };
}

async function logIn(t: TestApp, email: string): Promise<string> {
  return ok(await t.gql<{ logIn: { token: string } }>(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email, password: PASSWORD } })).logIn.token;
}

describe("open connections lose what their authority lost", () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenant(t);
  });
  afterAll(() => t?.stop());

  it("refuses every operation of a revoked API token on its open socket, and closes the socket with 4401", async () => {
    const { token, id } = await newAdminToken(t, tenant);
    const busy = connectWs(t.url, "/graphql", token);
    const idle = connectWs(t.url, "/graphql", token);
    expect(codeIn(await over(busy, SET_STATUS, { id: tenant.serviceId, status: "DEGRADED_PERFORMANCE" }))).toBeUndefined();
    await settle(100);

    ok(await t.gql(REVOKE_TOKEN, { id }, { token: tenant.admin }));
    await refused(busy, await over(busy, SET_STATUS, { id: tenant.serviceId, status: "MAJOR_OUTAGE" }));
    expect((await busy.closed).code).toBe(4401);
    // The idle socket is closed by the Authority, without sending anything.
    const { value, ms } = await closesWithin(idle.closed, 3_000);
    expect(value.code).toBe(4401);
    console.log(`revoked token: idle socket closed ${ms} ms after revokeApiToken answered`);

    const status = ok(await t.gql<{ organization: { service: { id: string; status: string }[] } }>(STATUS, { slug: tenant.slug }, { token: tenant.admin }));
    expect(status.organization.service.find((s) => s.id === tenant.serviceId)?.status).toBe("DEGRADED_PERFORMANCE");
  });

  it("does not let a revoked token mint a new token over a socket opened before the revocation", async () => {
    const { token, id } = await newAdminToken(t, tenant);
    const socket = connectWs(t.url, "/graphql", token);
    await settle(100);
    ok(await t.gql(REVOKE_TOKEN, { id }, { token: tenant.admin }));
    const minted = await over(socket, CREATE_TOKEN, { input: { organizationId: tenant.orgId, name: "escape", role: "ADMIN" } });
    await refused(socket, minted);
    expect(JSON.stringify(minted)).not.toContain("sp_");
    const tokens = ok(await t.gql<{ organization: { apiTokens: { name: string }[] } }>(`query($slug: String!) { organization(slug: $slug) { apiTokens { name } } }`, { slug: tenant.slug }, { token: tenant.admin }));
    expect(tokens.organization.apiTokens.map((k) => k.name)).not.toContain("escape");
  });

  it("ends the organisation's events for a member who is removed, closing the socket with 4403", async () => {
    const other = await createTenant(t);
    const socket = connectWs(t.url, "/graphql", other.member);
    const events = socket.subscribe(ORG_EVENTS, { organizationId: other.orgId });
    await settle();
    ok(await t.gql(SET_STATUS, { id: other.serviceId, status: "PARTIAL_OUTAGE" }, { token: other.admin }));
    await events.waitFor(1);

    ok(await t.gql(`mutation($input: RemoveMemberInput!) { removeMember(input: $input) }`, { input: { organizationId: other.orgId, userId: other.memberUserId } }, { token: other.admin }));
    const { value, ms } = await closesWithin(socket.closed, 3_000);
    expect(value.code).toBe(4403);
    console.log(`removed member: socket closed ${ms} ms after removeMember answered`);
    ok(await t.gql(SET_STATUS, { id: other.serviceId, status: "OPERATIONAL" }, { token: other.admin }));
    await settle();
    expect(events.received.filter((r) => r.data)).toHaveLength(1);
  });

  it("applies a changed role to the next operation on an open socket", async () => {
    const other = await createTenant(t);
    const roleOf = (role: string) =>
      t.gql(`mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`, { input: { organizationId: other.orgId, userId: other.memberUserId, role } }, { token: other.admin });
    ok(await roleOf("ADMIN"));
    const socket = connectWs(t.url, "/graphql", other.member);
    expect(codeIn(await over(socket, SET_STATUS, { id: other.serviceId, status: "DEGRADED_PERFORMANCE" }))).toBeUndefined();
    ok(await roleOf("MEMBER"));
    expect(codeIn(await over(socket, SET_STATUS, { id: other.serviceId, status: "MAJOR_OUTAGE" }))).toBe("FORBIDDEN");
    await socket.dispose();
  });

  it("logOut ends the session on the server: HTTP refuses it, its socket closes with 4401, its SSE stream ends", async () => {
    const session = await logIn(t, tenant.adminEmail);
    const socket = connectWs(t.url, "/graphql", session);
    const stream = subscribeSse(t.url, "/graphql", ORG_EVENTS, { organizationId: tenant.orgId }, session);
    await settle();

    expect(ok(await t.gql<{ logOut: boolean }>(`mutation { logOut }`, {}, { token: session })).logOut).toBe(true);
    expect(codeOf(await t.gql(`{ viewer { id } }`, {}, { token: session }))).toBe("UNAUTHENTICATED");
    expect((await closesWithin(socket.closed, 3_000)).value.code).toBe(4401);
    await closesWithin(stream.ended, 3_000);
    ok(await t.gql(SET_STATUS, { id: tenant.serviceId, status: "OPERATIONAL" }, { token: tenant.admin }));
    await settle();
    expect(stream.received.filter((r) => r.data)).toHaveLength(0);
    // Other sessions of the same person are untouched.
    expect(codeOf(await t.gql(`{ viewer { id } }`, {}, { token: tenant.admin }))).toBeUndefined();
  });

  it("ends the SSE stream of a revoked API token", async () => {
    const { token, id } = await newAdminToken(t, tenant);
    const stream = subscribeSse(t.url, "/graphql", ORG_EVENTS, { organizationId: tenant.orgId }, token);
    await settle();
    ok(await t.gql(REVOKE_TOKEN, { id }, { token: tenant.admin }));
    await closesWithin(stream.ended, 3_000);
  });

  it("answers logOut with false for an API token, and UNAUTHENTICATED when anonymous", async () => {
    expect(ok(await t.gql<{ logOut: boolean }>(`mutation { logOut }`, {}, { token: tenant.memberApiToken })).logOut).toBe(false);
    expect(codeOf(await t.gql(`mutation { logOut }`))).toBe("UNAUTHENTICATED");
  });
});

describe("sessions that expire", () => {
  let t: TestApp;
  let tenant: { orgId: string; adminEmail: string };
  beforeAll(async () => {
    t = await startTestApp({ sessionTtlSeconds: 3 });
    // One call, not a whole tenant: on a loaded machine the set-up alone can outlast 3 s.
    const owner = await signUp(t);
    tenant = { orgId: owner.orgId, adminEmail: owner.email };
  });
  afterAll(() => t?.stop());

  it("ends an SSE stream when its session expires, as a socket closes with 4401", async () => {
    const session = await logIn(t, tenant.adminEmail);
    const stream = subscribeSse(t.url, "/graphql", ORG_EVENTS, { organizationId: tenant.orgId }, session);
    const socket = connectWs(t.url, "/graphql", session);
    await closesWithin(stream.ended, 6_000);
    expect((await closesWithin(socket.closed, 2_000)).value.code).toBe(4401);
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!databaseUrl)("on every instance", () => {
  let a: TestApp;
  let b: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    a = await startTestApp({ redisUrl });
    b = await startTestApp({ redisUrl, databaseUrl: a.config.databaseUrl });
    tenant = await createTenant(a);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("closes a socket and an SSE stream on B when the token is revoked on A", async () => {
    const { token, id } = await newAdminToken(a, tenant);
    const socket = connectWs(b.url, "/graphql", token);
    const stream = subscribeSse(b.url, "/graphql", ORG_EVENTS, { organizationId: tenant.orgId }, token);
    await settle();
    ok(await a.gql(REVOKE_TOKEN, { id }, { token: tenant.admin }));
    const closed = await closesWithin(socket.closed, 3_000);
    expect(closed.value.code).toBe(4401);
    await closesWithin(stream.ended, 3_000);
    console.log(`revoked on A: socket on B closed after ${closed.ms} ms`);
  });

  it("closes a removed member's socket on B", async () => {
    const socket = connectWs(b.url, "/graphql", tenant.member);
    socket.subscribe(ORG_EVENTS, { organizationId: tenant.orgId });
    await settle();
    ok(await a.gql(`mutation($input: RemoveMemberInput!) { removeMember(input: $input) }`, { input: { organizationId: tenant.orgId, userId: tenant.memberUserId } }, { token: tenant.admin }));
    expect((await closesWithin(socket.closed, 3_000)).value.code).toBe(4403);
  });
});
