// End to end, in Chromium: the live public page, signing in, role-aware controls, incidents
// through the UI, and the connection indicator across a server restart.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { hasChromium, launch, openPage, screenshot, signIn as signInAs } from "./browser.ts";

if (!hasChromium) console.warn("Skipping browser tests: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it).");

describe.skipIf(!hasChromium)("the web app in Chromium", () => {
  let t: TestApp;
  let a: Tenant;
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), "statuspage-e2e-"));

  beforeAll(async () => {
    // A data directory of its own (not in-memory) so the restart test finds the same data.
    // Browsers resolve *.localhost to loopback, so <slug>.localhost works as a page host.
    // customDomainCheckPort 0: a claimed custom domain's HTTP challenge is asked on this server's own port.
    t = await startTestApp({ statusBaseDomain: "localhost", customDomainCheckPort: 0, ...(process.env.TEST_DATABASE_URL ? {} : { dataDir }) });
    a = await createTenant(t);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const setStatus = async (status: string) =>
    ok(await t.gql(`mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`, { id: a.serviceId, s: status }, { token: a.admin }));
  const live = (page: Page) => page.locator('[role=status][data-state="live"]').first().waitFor({ timeout: 10_000 });

  const signIn = (page: Page, email: string) => signInAs(page, { url: t.url, email, password: PASSWORD, slug: a.slug });

  it("updates the public page live when an admin changes a status through the API", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    await expect(page.getByTestId("page-status").textContent()).resolves.toBe("All Systems Operational");
    await screenshot(page, "public-operational");
    // The feed and JSON links lead somewhere real.
    for (const name of ["Atom", "RSS", "Statuspage JSON"]) {
      const href = await page.getByRole("link", { name, exact: true }).getAttribute("href");
      expect((await fetch(`${t.url}${href}`)).status).toBe(200);
    }
    const started = Date.now();
    await setStatus("MAJOR_OUTAGE");
    await page.getByTestId("page-status").filter({ hasText: "Major System Outage" }).waitFor({ timeout: 3_000 });
    console.info(`public page updated ${Date.now() - started} ms after the mutation was sent`);
    await expect(page.title()).resolves.toMatch(/⚠/);
    await screenshot(page, "public-major-outage");
    await setStatus("OPERATIONAL");
    await page.getByTestId("page-status").filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 3_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("loads the public page with a cacheable GET, and converges when its refetch is refused", async () => {
    const { page, errors } = await openPage(browser);
    const methods: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/graphql/public") && request.resourceType() === "fetch") methods.push(request.method());
    });
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    // The first view needs no load: its answer is embedded in the HTML (public-first-html.test.ts).
    // The next two loads of the page are refused as a busy server would (429); the page keeps
    // its last state marked as updating, tries again, and ends on the new state.
    let refused = 0;
    await page.route("**/graphql/public?**", (route) =>
      refused < 2
        ? (refused++, route.fulfill({ status: 429, headers: { "retry-after": "1", "content-type": "application/json" }, body: JSON.stringify({ errors: [{ message: "Too many requests", extensions: { code: "RATE_LIMITED" } }] }) }))
        : route.continue(),
    );
    await setStatus("PARTIAL_OUTAGE");
    await page.getByTestId("page-status").filter({ hasText: "Partial System Outage" }).waitFor({ timeout: 10_000 });
    expect(refused).toBe(2);
    expect(methods.length).toBeGreaterThan(2);
    expect(methods.every((method) => method === "GET")).toBe(true);
    await setStatus("OPERATIONAL");
    await page.getByTestId("page-status").filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 5_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("serves hashed assets compressed and immutable, and no source maps", async () => {
    const html = await (await fetch(`${t.url}/status/${a.slug}`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(`${t.url}${script}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-encoding")).toBe("br");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${t.url}${script}.map`)).status).toBe(404);
    expect((await fetch(`${t.url}${script}.br`)).status).toBe(404);
    expect(await (await fetch(`${t.url}${script}`)).text()).not.toContain("sourceMappingURL");
  });

  it("serves the status page at the root of its page host, live", async () => {
    const { page, errors } = await openPage(browser);
    const port = new URL(t.url).port;
    await page.goto(`http://${a.slug}.localhost:${port}/`);
    await live(page);
    await page.getByTestId("page-status").waitFor();
    await setStatus("DEGRADED_PERFORMANCE");
    await page.getByTestId("page-status").filter({ hasText: "Partially Degraded Service" }).waitFor({ timeout: 3_000 });
    await setStatus("OPERATIONAL");
    await page.getByTestId("page-status").filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 3_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("falls back to Server-Sent Events when WebSocket is blocked, and stays live", async () => {
    const { page, errors } = await openPage(browser);
    await page.routeWebSocket(/\/graphql/, (ws) => ws.close({ code: 1006 }));
    await page.goto(`${t.url}/status/${a.slug}`);
    await page.getByText("(SSE)").waitFor({ timeout: 15_000 });
    await setStatus("PARTIAL_OUTAGE");
    await page.getByTestId("page-status").filter({ hasText: "Partial System Outage" }).waitFor({ timeout: 3_000 });
    await setStatus("OPERATIONAL");
    await page.getByTestId("page-status").filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 3_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("signs up a new organisation through the form, and logs out", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/signup`);
    const slug = `e2e-${Date.now().toString(36)}`;
    await page.getByLabel("Your name").fill("Grace");
    await page.getByLabel("Email").fill(`${slug}@example.com`);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Organisation name").fill("E2E Org");
    await page.getByLabel("Page address (optional)").fill(slug);
    await screenshot(page, "signup");
    await page.getByRole("button", { name: "Create organisation" }).click();
    await page.waitForURL(`**/org/${slug}/services`);
    await page.getByText("No services yet").waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL("**/login");
    await page.goto(`${t.url}/org/${slug}/services`);
    await page.waitForURL("**/login");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("signs an admin in through the form to the dashboard, with write controls", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.adminEmail);
    await page.getByRole("button", { name: "Add service" }).waitFor();
    await live(page);
    await screenshot(page, "dashboard-services-admin");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("sends a visitor with an expired session to the sign-in page with a message", async () => {
    const { page, errors } = await openPage(browser);
    const expired = `x.${Buffer.from(JSON.stringify({ exp: 1 })).toString("base64url")}.y`;
    await page.goto(`${t.url}/login`);
    await page.evaluate((token) => localStorage.setItem("statuspage.session", token), expired);
    await page.goto(`${t.url}/org/${a.slug}/services`);
    await page.waitForURL("**/login");
    await page.getByText("Your session has expired").waitFor();
    await screenshot(page, "login-expired");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows a member everything read-only, with no write controls", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.memberEmail);
    await page.getByTestId(`service-row-API`).waitFor();
    for (const name of ["Add service", "Edit", "Delete"]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByRole("heading", { name: "Active" }).waitFor();
    expect(await page.getByRole("button", { name: "Open an incident" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "API tokens" }).count()).toBe(0);
    await screenshot(page, "dashboard-incidents-member");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("opens and resolves an incident through the UI, and the public page follows", async () => {
    const { page: visitor } = await openPage(browser, { width: 390 });
    await visitor.goto(`${t.url}/status/${a.slug}`);
    await live(visitor);

    const { page, errors } = await openPage(browser);
    await signIn(page, a.adminEmail);
    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByRole("button", { name: "Open an incident" }).click();
    await page.getByLabel("Title").fill("Checkout failing");
    await page.getByLabel(/^API/).check();
    await page.getByLabel("Impact").selectOption("PARTIAL_OUTAGE");
    await page.getByLabel("First update").fill("We are looking into failed payments.");
    await screenshot(page, "dashboard-open-incident");
    await page.getByRole("button", { name: "Open incident" }).click();
    await page.getByTestId("incident-Checkout failing").waitFor();

    await visitor.getByTestId("incident-Checkout failing").waitFor({ timeout: 3_000 });
    await visitor.getByTestId("page-status").filter({ hasText: "Partial System Outage" }).waitFor({ timeout: 3_000 });
    await screenshot(visitor, "public-incident-phone");

    await page.getByRole("button", { name: "Resolve" }).click();
    await page.getByRole("heading", { name: "Resolved", exact: true }).waitFor();
    await visitor.getByTestId("page-status").filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 3_000 });
    await visitor.getByRole("heading", { name: "Past incidents (14 days)" }).waitFor();
    expect(await visitor.getByTestId("incident-Checkout failing").count()).toBe(1);
    await screenshot(page, "dashboard-incident-resolved");
    expect(errors).toEqual([]);
    await Promise.all([page.context().close(), visitor.context().close()]);
  });

  it("schedules, edits and cancels a maintenance window through the UI", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.adminEmail);
    await page.getByRole("link", { name: "Maintenance" }).click();
    await page.getByText("Schedule maintenance").click();
    const local = (hoursAhead: number) => {
      const d = new Date(Date.now() + hoursAhead * 3_600_000);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    };
    await page.getByLabel("Title").fill("Network work");
    await page.getByLabel("Starts").fill(local(24));
    await page.getByLabel("Ends").fill(local(26));
    await page.getByLabel("API").check();
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.getByText("Network work").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Title").last().fill("Network upgrade");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Network upgrade").waitFor();
    const publicPage = ok(await t.gql<{ statusPage: { maintenances: { title: string }[] } }>(`query($s: String!) { statusPage(slug: $s) { maintenances { title } } }`, { s: a.slug }, { endpoint: "/graphql/public" }));
    expect(publicPage.statusPage.maintenances.map((m) => m.title)).toContain("Network upgrade");
    await screenshot(page, "dashboard-maintenance");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Cancel window" }).click();
    await page.getByText("Cancelled").waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("claims a custom domain in the settings, verifies it through the host, and then the page serves there", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.adminEmail);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("Custom domain").fill("not a domain");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").filter({ hasText: "Custom domain must be a host name" }).waitFor();
    // A name that does not reach this server: the claim is kept, the proof refused with the reason.
    const elsewhere = `status-${Date.now().toString(36)}.invalid`;
    await page.getByLabel("Custom domain").fill(elsewhere);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    await page.reload();
    await expect(page.getByLabel("Custom domain").inputValue()).resolves.toBe(elsewhere);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("alert").filter({ hasText: `${elsewhere} did not answer the challenge` }).waitFor();
    // status.<x>.localhost is loopback (RFC 6761) and, two labels deep, not a <slug>.localhost page host.
    const port = new URL(t.url).port;
    const domain = `status.${a.slug}-${Date.now().toString(36)}.localhost`;
    await page.getByLabel("Custom domain").fill(domain);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("challenge-url").filter({ hasText: `http://${domain}:${port}/.well-known/statuspage-challenge/` }).waitFor();
    await page.getByTestId("challenge-token").waitFor();
    await screenshot(page, "dashboard-settings");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByTestId("verified-domain").filter({ hasText: domain }).waitFor();
    expect(await page.getByRole("button", { name: "Verify" }).count()).toBe(0);
    await screenshot(page, "dashboard-settings-verified");

    const visitor = await openPage(browser);
    await visitor.page.goto(`http://${domain}:${port}/`);
    await live(visitor.page);
    await visitor.page.getByTestId("page-status").waitFor();
    expect([...errors, ...visitor.errors]).toEqual([]);
    await Promise.all([page.context().close(), visitor.page.context().close()]);
  });

  it("invites a member by link: they choose a password, land in the dashboard as MEMBER, and can leave", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.adminEmail);
    await page.getByRole("link", { name: "Members" }).click();
    const email = `invited-${Date.now().toString(36)}@example.com`;
    await page.getByRole("form", { name: "Invite a member" }).getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const link = (await page.getByTestId("invitation-link").textContent()) ?? "";
    expect(link).toMatch(/\/invitations\/accept#[A-Za-z0-9_-]{43}$/);
    await page.getByTestId(`invitation-${email}`).waitFor();
    await screenshot(page, "dashboard-members-invited");

    // The invitee opens the link in a browser of their own.
    const { page: invitee, errors: inviteeErrors } = await openPage(browser);
    await invitee.goto(link);
    await invitee.getByLabel("Your name").fill("Invited Person");
    await invitee.getByLabel("Password").fill(PASSWORD);
    await screenshot(invitee, "accept-invitation");
    await invitee.getByRole("button", { name: "Accept invitation" }).click();
    await invitee.waitForURL(`**/org/${a.slug}/services`);
    await invitee.getByTestId("viewer").filter({ hasText: `${email} · Member` }).waitFor();
    expect(await invitee.getByRole("button", { name: "Add service" }).count()).toBe(0);

    // The admin sees them as a member and the invitation no longer pending.
    await page.reload();
    await page.getByText("Invited Person").waitFor();
    await page.getByRole("heading", { name: "Pending invitations" }).waitFor();
    expect(await page.getByTestId(`invitation-${email}`).count()).toBe(0);

    // They leave the organisation again.
    await invitee.getByRole("link", { name: "Members" }).click();
    invitee.once("dialog", (dialog) => void dialog.accept());
    await invitee.getByRole("button", { name: "Leave organisation" }).click();
    await invitee.waitForURL(`${t.url}/`);
    const memberships = await t.app.services.db.prisma.membership.count({ where: { organizationId: a.orgId, user: { email } } });
    expect(memberships).toBe(0);
    expect([...errors, ...inviteeErrors]).toEqual([]);
    await Promise.all([page.context().close(), invitee.context().close()]);
  });

  it("shows reconnecting while the server is down and recovers without a reload", async () => {
    const { page } = await openPage(browser);
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    const port = Number(new URL(t.url).port);
    const config = t.config;
    await t.app.stop();
    await page.locator('[role=status][data-state="reconnecting"]').waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Retry now" }).waitFor();
    await screenshot(page, "public-reconnecting");

    const restarted = await startTestApp({ ...config, port });
    const first = t;
    // Stopping at the end stops the restarted instance, then the first (which drops its database).
    t = { ...restarted, stop: async () => { await restarted.stop(); await first.stop(); } };
    // The page's own backoff may reconnect before the click lands: then the button is gone and
    // there is nothing left to press. Either way it must come back live without a reload.
    const retry = page.getByRole("button", { name: "Retry now" });
    await retry.click({ timeout: 3_000 }).catch(async (error: unknown) => {
      if (await retry.count()) throw error;
    });
    await live(page);
    ok(await restarted.gql(`mutation($id: ID!) { setServiceStatus(input: { id: $id, status: DEGRADED_PERFORMANCE }) { id } }`, { id: a.serviceId }, { token: a.admin }));
    await page.getByTestId("page-status").filter({ hasText: "Partially Degraded Service" }).waitFor({ timeout: 3_000 });
    await page.context().close();
  });
});
