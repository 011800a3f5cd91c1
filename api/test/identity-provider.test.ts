// An external identity provider (JWT_JWKS_URL + JWT_ISSUER + JWT_AUDIENCE): its RS256 tokens
// are accepted, the user is known by the email claim; anything not exactly right is
// UNAUTHENTICATED. Our own HS256 sessions keep working beside it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, signUp } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type TestApp } from "./harness.ts";

const ISSUER = "https://idp.example";
const AUDIENCE = "statuspage";
let t: TestApp;
let idp: Server;
let key: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const published = await generateKeyPair("RS256");
  key = published.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair("RS256"));
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  idp = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
  t = await startTestApp({ jwksUrl, jwtIssuer: ISSUER, jwtAudience: AUDIENCE });
});
afterAll(async () => {
  await t?.stop();
  idp?.close();
});

function token(claims: Record<string, unknown>, options: { signer?: CryptoKey; issuer?: string; audience?: string; expiresIn?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject("idp-user-1")
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "10m")
    .sign(options.signer ?? key);
}

const VIEWER = `{ viewer { email name } }`;

describe("an external identity provider", () => {
  it("accepts its token and knows the user by email, the same user on every visit", async () => {
    const email = `${unique("sso")}@Example.com`;
    const first = ok(await t.gql<{ viewer: { email: string; name: string } }>(VIEWER, {}, { token: await token({ email, name: "Ada Lovelace" }) }));
    expect(first.viewer).toEqual({ email: email.toLowerCase(), name: "Ada Lovelace" });
    const again = ok(await t.gql<{ viewer: { email: string } }>(VIEWER, {}, { token: await token({ email: email.toLowerCase() }) }));
    expect(again.viewer.email).toBe(email.toLowerCase());
  });

  it("lets an existing account sign in through it and see its organisations", async () => {
    const account = await signUp(t);
    const data = ok(await t.gql<{ viewer: { memberships: { organization: { slug: string } }[] } }>(`{ viewer { memberships { organization { slug } } } }`, {}, { token: await token({ email: account.email }) }));
    expect(data.viewer.memberships.map((m) => m.organization.slug)).toEqual([account.slug]);
  });

  it("takes over an unproven account of its address: the password someone set at signUp stops working, and its sessions end", async () => {
    const squatter = await signUp(t); // anyone can sign up with an address they do not read
    ok(await t.gql(VIEWER, {}, { token: await token({ email: squatter.email }) }));
    expect(codeOf(await t.gql(VIEWER, {}, { token: squatter.token }))).toBe("UNAUTHENTICATED");
    const logIn = await t.gql(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: squatter.email, password: PASSWORD } });
    expect(codeOf(logIn)).toBe("UNAUTHENTICATED");
    // The owner, signed in through the provider, keeps the account (and what it belongs to).
    expect(ok(await t.gql<{ viewer: { email: string } }>(VIEWER, {}, { token: await token({ email: squatter.email }) })).viewer.email).toBe(squatter.email);
  });

  it.each([
    ["another issuer", { issuer: "https://evil.example" }, { email: "a@example.com" }],
    ["another audience", { audience: "someone-else" }, { email: "a@example.com" }],
    ["an expired token", { expiresIn: "-1m" }, { email: "a@example.com" }],
    ["a key it does not publish", { signer: "other" }, { email: "a@example.com" }],
    ["no email claim", {}, {}],
  ] as const)("refuses %s with UNAUTHENTICATED", async (_, options, claims) => {
    const { signer, ...rest } = options as { signer?: string; issuer?: string; audience?: string; expiresIn?: string };
    const result = await t.gql(VIEWER, {}, { token: await token(claims, { ...rest, ...(signer ? { signer: otherKey } : {}) }) });
    expect(codeOf(result)).toBe("UNAUTHENTICATED");
  });

  it("keeps the product's own sessions working", async () => {
    const account = await signUp(t);
    expect(ok(await t.gql<{ viewer: { email: string } }>(VIEWER, {}, { token: account.token })).viewer.email).toBe(account.email);
  });
});
