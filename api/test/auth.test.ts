// Sign up, log in, sessions, API tokens and the "invalid token is never anonymous" rule.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, signUp } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email memberships { role organization { slug name } } } } }`;
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { email } } }`;
const VIEWER = `{ viewer { email } }`;

describe("signUp", () => {
  it("creates the user, the organisation and an ADMIN membership, with a slug from the name", async () => {
    const email = `${unique("u")}@Example.com`;
    const name = `Acme ${unique("Co")}`;
    const data = ok(
      await t.gql<{ signUp: { token: string; user: { email: string; memberships: { role: string; organization: { slug: string; name: string } }[] } } }>(
        SIGN_UP,
        { input: { email, password: PASSWORD, name: "Ada", organizationName: name } },
      ),
    );
    expect(data.signUp.user.email).toBe(email.toLowerCase());
    expect(data.signUp.user.memberships).toEqual([{ role: "ADMIN", organization: { slug: name.toLowerCase().replace(/ /g, "-"), name } }]);
    const viewer = ok(await t.gql<{ viewer: { email: string } }>(VIEWER, {}, { token: data.signUp.token }));
    expect(viewer.viewer.email).toBe(email.toLowerCase());
  });

  it("derives a free slug when the name's slug is taken, and refuses a taken explicit slug", async () => {
    const name = unique("Same Name");
    const a = await signUp(t, name);
    const b = await signUp(t, name);
    expect(b.slug).toBe(`${a.slug}-2`);
    const taken = await t.gql(SIGN_UP, { input: { email: `${unique("u")}@example.com`, password: PASSWORD, name: "X", organizationName: "X", organizationSlug: a.slug } });
    expect(codeOf(taken)).toBe("CONFLICT");
    expect(taken.errors?.[0]?.extensions?.field).toBe("organizationSlug");
  });

  it("refuses a duplicate email with CONFLICT and creates no organisation", async () => {
    const first = await signUp(t);
    const slug = unique("dup");
    const again = await t.gql(SIGN_UP, { input: { email: first.email, password: PASSWORD, name: "X", organizationName: "Dup", organizationSlug: slug } });
    expect(codeOf(again)).toBe("CONFLICT");
    expect(ok(await t.gql<{ statusPage: unknown }>(`{ statusPage(slug: "${slug}") { organization { slug } } }`)).statusPage).toBeNull();
  });

  it.each([
    [{ email: "not-an-email" }, "email"],
    [{ password: "short" }, "password"],
    [{ name: "" }, "name"],
    [{ organizationSlug: "Bad Slug!" }, "organizationSlug"],
    [{ organizationSlug: "graphql" }, "organizationSlug"],
    [{ organizationName: "x".repeat(101) }, "organizationName"],
  ])("rejects %j with BAD_USER_INPUT on the field", async (patch, field) => {
    const input = { email: `${unique("u")}@example.com`, password: PASSWORD, name: "N", organizationName: unique("Org"), ...patch };
    const result = await t.gql(SIGN_UP, { input });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
  });
});

describe("logIn", () => {
  it("returns a working session for the right password", async () => {
    const user = await signUp(t);
    const data = ok(await t.gql<{ logIn: { token: string } }>(LOG_IN, { input: { email: user.email.toUpperCase(), password: PASSWORD } }));
    expect(ok(await t.gql<{ viewer: { email: string } }>(VIEWER, {}, { token: data.logIn.token })).viewer.email).toBe(user.email);
  });

  it("gives the same UNAUTHENTICATED answer for a wrong password and an unknown email", async () => {
    const user = await signUp(t);
    const wrong = await t.gql(LOG_IN, { input: { email: user.email, password: "wrong-password" } });
    const unknown = await t.gql(LOG_IN, { input: { email: `${unique("nobody")}@example.com`, password: "wrong-password" } });
    expect(codeOf(wrong)).toBe("UNAUTHENTICATED");
    expect(codeOf(unknown)).toBe("UNAUTHENTICATED");
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });
});

describe("tokens", () => {
  it("answers viewer: null to an anonymous caller", async () => {
    expect(ok(await t.gql<{ viewer: unknown }>(VIEWER)).viewer).toBeNull();
  });

  it.each([
    ["garbage", "Bearer not.a.jwt"],
    ["unknown API token", "Bearer sp_doesnotexist"],
    ["wrong scheme", "Basic abc"],
  ])("treats an invalid token (%s) as UNAUTHENTICATED, never anonymous, even for public fields", async (_, header) => {
    const response = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: header },
      body: JSON.stringify({ query: `{ statusPage(slug: "x") { organization { slug } } }` }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[]; data?: unknown };
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(body.data ?? null).toBeNull();
  });

  it("refuses an expired session and one signed with another secret", async () => {
    const user = await signUp(t);
    const sign = (secret: string, exp: number) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user.userId)
        .setIssuer("statuspage")
        .setAudience("statuspage")
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret));
    const expired = await sign(t.config.jwtSecret!, Math.floor(Date.now() / 1000) - 10);
    const forged = await sign("another-secret-another-secret-another-secret", Math.floor(Date.now() / 1000) + 600);
    expect(codeOf(await t.gql(VIEWER, {}, { token: expired }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.gql(VIEWER, {}, { token: forged }))).toBe("UNAUTHENTICATED");
  });

  it("shows an API token once, stores only its hash, records lastUsedAt, and stops it on revoke", async () => {
    const owner = await signUp(t);
    const created = ok(
      await t.gql<{ createApiToken: { token: string; apiToken: { id: string; role: string; lastUsedAt: string | null } } }>(
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id role lastUsedAt } } }`,
        { input: { organizationId: owner.orgId, name: "ci", role: "MEMBER" } },
        { token: owner.token },
      ),
    ).createApiToken;
    expect(created.token).toMatch(/^sp_[A-Za-z0-9_-]{40,}$/);
    expect(created.apiToken.lastUsedAt).toBeNull();
    const stored = await t.app.services.db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } });
    expect(JSON.stringify(stored)).not.toContain(created.token);

    const org = ok(await t.gql<{ organization: { slug: string } }>(`{ organization(slug: "${owner.slug}") { slug } }`, {}, { token: created.token }));
    expect(org.organization.slug).toBe(owner.slug);
    await expect.poll(async () => (await t.app.services.db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } })).lastUsedAt).not.toBeNull();

    ok(await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.apiToken.id }, { token: owner.token }));
    expect(codeOf(await t.gql(`{ organization(slug: "${owner.slug}") { slug } }`, {}, { token: created.token }))).toBe("UNAUTHENTICATED");
    const list = ok(await t.gql<{ organization: { apiTokens: { id: string }[] } }>(`{ organization(slug: "${owner.slug}") { apiTokens { id } } }`, {}, { token: owner.token }));
    expect(list.organization.apiTokens.map((k) => k.id)).not.toContain(created.apiToken.id);
  });
});

describe("throttling of sign-in", () => {
  it("counts failed sign-ins, not successful ones: 15 in a row succeed, and failures are still limited", async () => {
    // On Redis when the suite has one: the shared limiter gives the attempt back as the in-memory one does.
    const app = await startTestApp({ authRateLimit: 10, ...(process.env.TEST_REDIS_URL ? { redisUrl: process.env.TEST_REDIS_URL } : {}) });
    try {
      const user = await signUp(app); // a sign-up counts: one of the ten
      const logIn = (password: string) => app.gql<{ logIn: { token: string } }>(LOG_IN, { input: { email: user.email, password } });
      for (let i = 0; i < 15; i++) expect(ok(await logIn(PASSWORD)).logIn.token).toBeTruthy();
      // Nine failures fit beside the sign-up; the tenth attempt is refused, even with the right
      // password. (On Redis the sign-up may have been counted by the in-memory insurance limiter
      // while the connection was still opening: then the eleventh is.)
      for (let i = 0; i < 9; i++) expect(codeOf(await logIn("wrong-password"))).toBe("UNAUTHENTICATED");
      const next = [codeOf(await logIn("wrong-password")), codeOf(await logIn("wrong-password"))];
      expect(next).toContain("RATE_LIMITED");
      expect(codeOf(await logIn(PASSWORD))).toBe("RATE_LIMITED");
    } finally {
      await app.stop();
    }
  });


  it("answers RATE_LIMITED with HTTP 429 and Retry-After after too many attempts, for that email only", async () => {
    const app = await startTestApp({ authRateLimit: 3 });
    try {
      const user = await signUp(app); // one attempt for this email
      const attempt = () => app.gql(LOG_IN, { input: { email: user.email, password: "wrong-password" } });
      expect(codeOf(await attempt())).toBe("UNAUTHENTICATED");
      expect(codeOf(await attempt())).toBe("UNAUTHENTICATED");
      const refused = await fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: LOG_IN, variables: { input: { email: user.email, password: PASSWORD } } }),
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors[0]?.extensions.code).toBe("RATE_LIMITED");
      expect(body.errors[0]?.extensions.http).toBeUndefined();
      // Another account from the same address is not locked out by this one.
      const other = await signUp(app);
      expect(ok(await app.gql<{ logIn: { token: string } }>(LOG_IN, { input: { email: other.email, password: PASSWORD } })).logIn.token).toBeTruthy();
    } finally {
      await app.stop();
    }
  });
});
