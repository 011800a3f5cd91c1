// Invitations replace "add a member with a password" (issue 9): nobody sets another person's
// password, an invitation answer never tells whether an address has an account, and the link
// proves the address — so an account someone else made with it is taken over, not joined.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "../src/lib/mailer.ts";
import { createTenant, invite, join, PASSWORD, signUp, tokenOfLink, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type GqlResult, type TestApp } from "./harness.ts";
import { connectWs } from "./realtime-kit.ts";

let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  [a, b] = [await createTenant(t), await createTenant(t)];
});
afterAll(() => t?.stop());

const prisma = () => t.app.services.db.prisma;
const INVITE = `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { url invitation { id email role createdAt expiresAt } } }`;
const ACCEPT = `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id email name } } }`;
const LIST = `query($s: String!) { organization(slug: $s) { invitations { id email role createdAt expiresAt } } }`;
const VIEWER = `{ viewer { id email memberships { role organization { slug } } } }`;
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token } }`;

type Viewer = { viewer: { id: string; email: string; memberships: { role: string; organization: { slug: string } }[] } | null };
type Invitation = { id: string; email: string; role: string; createdAt: string; expiresAt: string };

const tryAccept = (url: string, input: Record<string, unknown> = {}, token?: string) =>
  t.gql<{ acceptInvitation: { token: string; user: { id: string; email: string; name: string } } }>(ACCEPT, { input: { token: tokenOfLink(url), ...input } }, { token });
const pending = async (org: Tenant | { slug: string; admin: string }) => ok(await t.gql<{ organization: { invitations: Invitation[] } }>(LIST, { s: org.slug }, { token: org.admin })).organization.invitations;
const viewer = async (token: string) => ok(await t.gql<Viewer>(VIEWER, {}, { token })).viewer!;
const fieldOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.field;

describe("the take-over of issue 9", () => {
  it("an account someone made with your address becomes yours on accepting: new password, their sessions end, they never join", async () => {
    const email = `${unique("victim")}@example.com`;
    // The attacker signs up first with the victim's address (signUp proves nothing about it).
    const attacker = ok(await t.gql<{ signUp: { token: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
      { input: { email, password: PASSWORD, name: "Not the victim", organizationName: unique("evil") } },
    )).signUp;
    const socket = connectWs(t.url, "/graphql", attacker.token); // the attacker stays connected
    // The victim's own organisation invites the address as ADMIN (the prize of the attack).
    const owner = await signUp(t);
    const { url } = await invite(t, { orgId: owner.orgId, admin: owner.token }, email, "ADMIN");
    // Pending: the attacker's account is not a member of anything new.
    expect((await viewer(attacker.token)).memberships.map((m) => m.organization.slug)).not.toContain(owner.slug);
    expect(ok(await t.gql<{ organization: unknown }>(`query($s: String!) { organization(slug: $s) { id } }`, { s: owner.slug }, { token: attacker.token })).organization).toBeNull();

    // The link's holder must choose a new password (the attacker's one is not asked, nor kept).
    const noPassword = await tryAccept(url);
    expect([codeOf(noPassword), fieldOf(noPassword)]).toEqual(["BAD_USER_INPUT", "password"]);
    const weak = await tryAccept(url, { password: "short" });
    expect([codeOf(weak), fieldOf(weak)]).toEqual(["BAD_USER_INPUT", "password"]);
    const victim = ok(await tryAccept(url, { password: "the-victims-own-password", name: "Victim" })).acceptInvitation;
    expect(victim.user).toEqual({ id: attacker.user.id, email, name: "Victim" });

    // The attacker is signed out everywhere (their open socket too) and their password no longer works.
    expect(codeOf(await t.gql(VIEWER, {}, { token: attacker.token }))).toBe("UNAUTHENTICATED");
    const closed = await Promise.race([socket.closed, new Promise((resolve) => setTimeout(resolve, 3_000, { code: "still open" }))]);
    expect(closed).toMatchObject({ code: 4401 });
    expect(codeOf(await t.gql(LOG_IN, { input: { email, password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    const changes = await prisma().accessChange.findMany({ where: { subjectId: attacker.user.id, kind: "USER_SESSIONS_REVOKED" } });
    expect(changes).toHaveLength(1);
    // The victim is signed in, proven, and ADMIN of their organisation.
    const me = await viewer(victim.token);
    expect(me.memberships).toContainEqual({ role: "ADMIN", organization: { slug: owner.slug } });
    expect(ok(await t.gql<{ logIn: { token: string } }>(LOG_IN, { input: { email, password: "the-victims-own-password" } })).logIn.token).toBeTruthy();
    expect((await prisma().user.findUniqueOrThrow({ where: { email } })).emailVerifiedAt).not.toBeNull();

    // A later invitation of the now proven account is not a second take-over: it needs its password.
    const again = await invite(t, a, email);
    const guess = await tryAccept(again.url, { password: PASSWORD });
    expect([codeOf(guess), fieldOf(guess)]).toEqual(["BAD_USER_INPUT", "password"]);
    expect((await viewer(victim.token)).id).toBe(attacker.user.id); // the victim's session lives on
  });
});

describe("inviteMember", () => {
  it("answers exactly alike for a new address, an account, a member and the admin themself", async () => {
    const emails = [`${unique("new")}@example.com`, b.memberEmail, a.memberEmail, a.adminEmail];
    const answers = [];
    for (const email of emails) answers.push(await t.gql<{ inviteMember: { url: string; invitation: Invitation } }>(INVITE, { input: { organizationId: a.orgId, email, role: "MEMBER" } }, { token: a.admin }));
    const tokens = answers.map((r) => tokenOfLink(r.data!.inviteMember.url));
    expect(new Set(tokens).size).toBe(4);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const shapes = answers.map((r, i) => {
      const { invitation, url } = r.data!.inviteMember;
      expect(invitation.email).toBe(emails[i]);
      expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(7 * 86_400_000);
      expect(url).toBe(`${t.url}/invitations/accept#${tokens[i]}`);
      const masked = { ...r, data: { inviteMember: { url: "URL", invitation: { ...invitation, id: "ID", email: "EMAIL", createdAt: "T", expiresAt: "T" } } } };
      return JSON.stringify(masked);
    });
    expect(new Set(shapes).size).toBe(1);
    // Only a digest of the secret is stored.
    const stored = await prisma().invitation.findMany({ where: { id: { in: answers.map((r) => r.data!.inviteMember.invitation.id) } } });
    for (const row of stored) expect(tokens).not.toContain(row.tokenHash);
  });

  it("a member who accepts keeps their role; signed in as the account, no password is needed", async () => {
    const { url } = await invite(t, a, a.memberEmail, "ADMIN");
    const accepted = ok(await tryAccept(url, {}, a.member)).acceptInvitation;
    expect(accepted.user.id).toBe(a.memberUserId);
    expect((await viewer(accepted.token)).memberships).toEqual([{ role: "MEMBER", organization: { slug: a.slug } }]);
    expect((await pending(a)).map((i) => i.email)).not.toContain(a.memberEmail);
  });

  it("a proven account joins with its password, and its other sessions stay", async () => {
    // b's member proved the address by accepting b's invitation.
    const { url } = await invite(t, a, b.memberEmail, "MEMBER");
    const none = await tryAccept(url);
    expect([codeOf(none), fieldOf(none)]).toEqual(["BAD_USER_INPUT", "password"]);
    const wrong = await tryAccept(url, { password: "not-the-password" });
    expect([codeOf(wrong), fieldOf(wrong)]).toEqual(["BAD_USER_INPUT", "password"]);
    // Signed in as someone else is no proof either.
    const other = await tryAccept(url, {}, a.member);
    expect([codeOf(other), fieldOf(other)]).toEqual(["BAD_USER_INPUT", "password"]);
    const accepted = ok(await tryAccept(url, { password: PASSWORD })).acceptInvitation;
    expect(accepted.user.id).toBe(b.memberUserId);
    expect((await viewer(b.member)).memberships).toEqual([
      { role: "MEMBER", organization: { slug: b.slug } },
      { role: "MEMBER", organization: { slug: a.slug } },
    ]);
    // Leave again, so that other tests see b's member as before.
    ok(await t.gql(`mutation($id: ID!) { leaveOrganization(organizationId: $id) }`, { id: a.orgId }, { token: b.member }));
  });

  it("an account made by signUp is not proven: an invitation to it resets its password and ends its sessions", async () => {
    const other = await signUp(t);
    const { url } = await invite(t, a, other.email);
    const accepted = ok(await tryAccept(url, { password: "a-brand-new-password" })).acceptInvitation;
    expect(accepted.user.id).toBe(other.userId);
    expect(codeOf(await t.gql(VIEWER, {}, { token: other.token }))).toBe("UNAUTHENTICATED");
    expect((await viewer(accepted.token)).memberships.map((m) => m.organization.slug)).toEqual([other.slug, a.slug]);
  });

  it("a new address needs a name and a valid password; nothing is made before both are right", async () => {
    const email = `${unique("fresh")}@example.com`;
    const { url } = await invite(t, a, email);
    const noName = await tryAccept(url, { password: PASSWORD });
    expect([codeOf(noName), fieldOf(noName)]).toEqual(["BAD_USER_INPUT", "name"]);
    const noPassword = await tryAccept(url, { name: "Fresh" });
    expect([codeOf(noPassword), fieldOf(noPassword)]).toEqual(["BAD_USER_INPUT", "password"]);
    const weak = await tryAccept(url, { name: "Fresh", password: "1234" });
    expect([codeOf(weak), fieldOf(weak)]).toEqual(["BAD_USER_INPUT", "password"]);
    expect(await prisma().user.count({ where: { email } })).toBe(0);
    expect((await pending(a)).map((i) => i.email)).toContain(email);
    // Whoever calls (here another organisation's admin) gets the invited account's session.
    const accepted = ok(await tryAccept(url, { name: "Fresh", password: PASSWORD }, b.admin)).acceptInvitation;
    expect(accepted.user).toMatchObject({ email, name: "Fresh" });
    const me = await viewer(accepted.token);
    expect(me).toMatchObject({ email, memberships: [{ role: "MEMBER", organization: { slug: a.slug } }] });
    expect((await prisma().user.findUniqueOrThrow({ where: { email } })).emailVerifiedAt).not.toBeNull();
  });

  it("inviting an address again replaces its pending invitation", async () => {
    const email = `${unique("twice")}@example.com`;
    const first = await invite(t, a, email, "MEMBER");
    const second = await invite(t, a, email, "ADMIN");
    expect((await pending(a)).filter((i) => i.email === email)).toEqual([expect.objectContaining({ id: second.id, role: "ADMIN" })]);
    const old = await tryAccept(first.url, { name: "T", password: PASSWORD });
    expect([codeOf(old), fieldOf(old)]).toEqual(["BAD_USER_INPUT", "token"]);
    ok(await tryAccept(second.url, { name: "T", password: PASSWORD }));
  });

  it("writes one audit entry per step: invitation.create by the admin, member.join by the invitee", async () => {
    const m = await join(t, a);
    const entries = await prisma().auditEntry.findMany({ where: { organizationId: a.orgId }, orderBy: { createdAt: "desc" }, take: 2 });
    expect(entries.map((e) => [e.action, e.actor, e.targetId])).toEqual([
      ["member.join", `user:${m.email}`, m.userId],
      ["invitation.create", `user:${a.adminEmail}`, expect.any(String)],
    ]);
  });
});

describe("links that no longer work", () => {
  it("a link works once", async () => {
    const { url } = await invite(t, a, `${unique("once")}@example.com`);
    ok(await tryAccept(url, { name: "Once", password: PASSWORD }));
    const again = await tryAccept(url, { name: "Once", password: PASSWORD });
    expect([codeOf(again), fieldOf(again)]).toEqual(["BAD_USER_INPUT", "token"]);
    expect(again.errors?.[0]?.message).toMatch(/invalid, expired, revoked or already used/);
  });

  it("a revoked link stops working; revoking it again is NOT_FOUND", async () => {
    const email = `${unique("revoked")}@example.com`;
    const { url, id } = await invite(t, a, email);
    expect(ok(await t.gql<{ revokeInvitation: string }>(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id }, { token: a.admin })).revokeInvitation).toBe(id);
    expect((await pending(a)).map((i) => i.id)).not.toContain(id);
    expect(codeOf(await tryAccept(url, { name: "R", password: PASSWORD }))).toBe("BAD_USER_INPUT");
    expect(await prisma().user.count({ where: { email } })).toBe(0);
    expect(codeOf(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id }, { token: a.admin }))).toBe("NOT_FOUND");
  });

  it("an accepted invitation cannot be revoked (NOT_FOUND)", async () => {
    const { url, id } = await invite(t, a, `${unique("done")}@example.com`);
    ok(await tryAccept(url, { name: "D", password: PASSWORD }));
    expect(codeOf(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id }, { token: a.admin }))).toBe("NOT_FOUND");
  });

  it("an expired link does not work and is no longer listed", async () => {
    const { url, id } = await invite(t, a, `${unique("late")}@example.com`);
    await prisma().invitation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await pending(a)).map((i) => i.id)).not.toContain(id);
    const late = await tryAccept(url, { name: "L", password: PASSWORD });
    expect([codeOf(late), fieldOf(late)]).toEqual(["BAD_USER_INPUT", "token"]);
  });

  it("a made-up or malformed token is BAD_USER_INPUT (token)", async () => {
    for (const token of ["A".repeat(43), "not a token!", ""]) {
      const result = await t.gql(ACCEPT, { input: { token, name: "X", password: PASSWORD } });
      expect([codeOf(result), fieldOf(result)]).toEqual(["BAD_USER_INPUT", "token"]);
    }
  });

  it("two acceptances of one link at once: exactly one succeeds", async () => {
    const email = `${unique("race")}@example.com`;
    const { url } = await invite(t, a, email);
    const results = await Promise.all([tryAccept(url, { name: "R", password: PASSWORD }), tryAccept(url, { name: "R", password: PASSWORD })]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(await prisma().user.count({ where: { email } })).toBe(1);
    expect(await prisma().membership.count({ where: { organizationId: a.orgId, user: { email } } })).toBe(1);
  });
});

describe("who may do what", () => {
  it("Organization.invitations: admins (and ADMIN tokens) only; pending ones, no secrets", async () => {
    const { id } = await invite(t, a, `${unique("listed")}@example.com`, "ADMIN");
    const list = await pending(a);
    expect(list[0]).toMatchObject({ id, role: "ADMIN" });
    expect(JSON.stringify(list)).not.toMatch(/tokenHash|accept#/);
    expect(ok(await t.gql<{ organization: { invitations: Invitation[] } }>(LIST, { s: a.slug }, { token: a.adminApiToken })).organization.invitations.length).toBe(list.length);
    for (const token of [a.member, a.memberApiToken]) expect(codeOf(await t.gql(LIST, { s: a.slug }, { token }))).toBe("FORBIDDEN");
    expect(ok(await t.gql<{ organization: unknown }>(LIST, { s: a.slug }, { token: b.admin })).organization).toBeNull();
    expect(codeOf(await t.gql(LIST, { s: a.slug }))).toBe("UNAUTHENTICATED");
  });

  it("inviteMember and revokeInvitation: MEMBER is FORBIDDEN, another organisation NOT_FOUND, anonymous UNAUTHENTICATED", async () => {
    const input = { organizationId: a.orgId, email: `${unique("x")}@example.com`, role: "ADMIN" };
    const { id } = await invite(t, a, `${unique("y")}@example.com`);
    const cases: [string | undefined, string][] = [[a.member, "FORBIDDEN"], [a.memberApiToken, "FORBIDDEN"], [b.admin, "NOT_FOUND"], [b.adminApiToken, "NOT_FOUND"], [undefined, "UNAUTHENTICATED"]];
    for (const [token, code] of cases) {
      expect(codeOf(await t.gql(INVITE, { input }, { token }))).toBe(code);
      expect(codeOf(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id }, { token }))).toBe(code);
    }
    expect(await prisma().invitation.count({ where: { email: input.email } })).toBe(0);
    expect((await pending(a)).map((i) => i.id)).toContain(id);
    // A made-up id looks exactly like another organisation's.
    expect(codeOf(await t.gql(`mutation($id: ID!) { revokeInvitation(id: $id) }`, { id: "not-an-invitation" }, { token: a.admin }))).toBe("NOT_FOUND");
  });

  it("acceptInvitation and inviteMember do not exist on the public endpoint", async () => {
    const { url } = await invite(t, a, `${unique("pub")}@example.com`);
    const result = await t.gql(ACCEPT, { input: { token: tokenOfLink(url), name: "P", password: PASSWORD } }, { endpoint: "/graphql/public" });
    expect(result.errors?.[0]?.message).toMatch(/acceptInvitation|AcceptInvitationInput/);
    const invited = await t.gql(INVITE, { input: { organizationId: a.orgId, email: "p@example.com", role: "MEMBER" } }, { endpoint: "/graphql/public", token: a.admin });
    expect(invited.errors?.[0]?.message).toMatch(/inviteMember|InviteMemberInput/);
  });
});

describe("leaveOrganization", () => {
  const LEAVE = `mutation($id: ID!) { leaveOrganization(organizationId: $id) }`;

  it("an admin may leave while another admin stays; the last one may not", async () => {
    const owner = await signUp(t);
    const org = { orgId: owner.orgId, admin: owner.token, slug: owner.slug };
    const second = await join(t, org, undefined, "ADMIN");
    ok(await t.gql(LEAVE, { id: org.orgId }, { token: owner.token }));
    const last = await t.gql(LEAVE, { id: org.orgId }, { token: second.token });
    expect(codeOf(last)).toBe("INVALID_TRANSITION");
    expect(last.errors?.[0]?.message).toMatch(/at least one admin/);
    expect((await viewer(second.token)).memberships).toEqual([{ role: "ADMIN", organization: { slug: org.slug } }]);
  });

  it("records the change for open connections, and a person who left can be invited back", async () => {
    const m = await join(t, a);
    ok(await t.gql(LEAVE, { id: a.orgId }, { token: m.token }));
    expect(await prisma().accessChange.count({ where: { kind: "MEMBERSHIP_CHANGED", subjectId: m.userId, organizationId: a.orgId } })).toBe(1);
    expect((await viewer(m.token)).memberships).toEqual([]);
    const { url } = await invite(t, a, m.email);
    ok(await tryAccept(url, {}, m.token));
    expect((await viewer(m.token)).memberships).toEqual([{ role: "MEMBER", organization: { slug: a.slug } }]);
  });
});

describe("mail", () => {
  interface Received {
    from: string | undefined;
    to: string[];
    raw: string;
  }

  /** Quoted-printable soft breaks and escapes, enough to read a link back out of a mail. */
  const decodeQuotedPrintable = (text: string) => text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  it("with SMTP_URL the invitation is mailed with its link, the link accepts, and accepting is rate-limited", async () => {
    const received: Received[] = [];
    let arrived: () => void = () => {};
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        let raw = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => (raw += chunk));
        stream.on("end", () => {
          const from = session.envelope.mailFrom;
          received.push({ from: from ? from.address : undefined, to: session.envelope.rcptTo.map((r) => r.address), raw });
          arrived();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    const mailed = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: "Status <status@example.test>", publicUrl: "https://status.example.test", authRateLimit: 3 });
    try {
      const owner = await signUp(mailed, "Mail Org");
      const email = `${unique("mailed")}@example.com`;
      const mail = new Promise<void>((resolve) => (arrived = resolve));
      const answer = ok(await mailed.gql<{ inviteMember: { url: string } }>(INVITE, { input: { organizationId: owner.orgId, email, role: "MEMBER" } }, { token: owner.token }));
      await mail;
      expect(received).toHaveLength(1);
      const message = received[0]!;
      expect(message.from).toBe("status@example.test");
      expect(message.to).toEqual([email]);
      const body = decodeQuotedPrintable(message.raw);
      expect(body).toMatch(/Subject: You are invited to Mail Org on Statuspage/);
      const link = /https:\/\/status\.example\.test\/invitations\/accept#[A-Za-z0-9_-]{43}/.exec(body)?.[0];
      expect(link).toBe(answer.inviteMember.url);
      const accepted = ok(await mailed.gql<{ acceptInvitation: { token: string } }>(ACCEPT, { input: { token: tokenOfLink(link!), name: "Mailed", password: PASSWORD } })).acceptInvitation;
      expect((ok(await mailed.gql<Viewer>(VIEWER, {}, { token: accepted.token })).viewer!).email).toBe(email);

      // The auth limiter counts acceptances like sign-in attempts: 3 per link and IP here.
      const guess = { input: { token: randomBytes(32).toString("base64url"), name: "G", password: PASSWORD } };
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(codeOf(await mailed.gql(ACCEPT, guess)));
      expect(codes).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT", "RATE_LIMITED"]);
    } finally {
      await mailed.stop();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("without SMTP_URL a mail is logged at info level, link and all", async () => {
    const lines: string[] = [];
    const mailer = createMailer({ log: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }) });
    await mailer.send({ to: "x@example.com", subject: "Hello", text: "Open https://example.test/invitations/accept#abc" });
    const entry = JSON.parse(lines[0]!) as { level: number; msg: string; mail: { to: string; text: string } };
    expect(entry.level).toBe(30);
    expect(entry.mail.to).toBe("x@example.com");
    expect(entry.mail.text).toContain("#abc");
    expect(entry.msg).toMatch(/SMTP_URL/);
  });
});
