// End to end, in Chromium: the dashboard as people use it (issue 11, points 2 to 9): a refused
// field never blanks it, the top bar follows changes made elsewhere, a status set by hand is
// asked for and shown, groups and service names, the maintenance order, errors beside their
// field, empty states.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { buildWebIfMissing, hasChromium, launch, openPage, screenshot } from "./browser.ts";

if (!hasChromium) console.warn("Skipping browser tests: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it).");

describe.skipIf(!hasChromium)("the dashboard in Chromium", () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    buildWebIfMissing();
    t = await startTestApp();
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const live = (page: Page) => page.locator('[role=status][data-state="live"]').first().waitFor({ timeout: 10_000 });

  async function signIn(page: Page, email: string, slug: string) {
    await page.goto(`${t.url}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/org/${slug}/services`);
  }

  /** Records every moment the dashboard is replaced by the "Not found" page (window.blanked). */
  const watchForBlankDashboard = (page: Page) =>
    page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { blanked: string[] }).blanked = seen;
      new MutationObserver(() => {
        const heading = document.querySelector("h1");
        if (heading?.textContent === "Not found" && seen.at(-1) !== location.pathname) seen.push(location.pathname);
      }).observe(document, { childList: true, subtree: true });
    });

  const gqlAs = async <T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) => ok(await t.gql<T>(query, variables, { token }));

  describe("2. a member's dashboard", () => {
    let a: Tenant;
    beforeAll(async () => {
      a = await createTenant(t);
    });

    it("keeps the dashboard when a member opens Members, and through Back", async () => {
      const { page, errors } = await openPage(browser);
      await watchForBlankDashboard(page);
      await signIn(page, a.memberEmail, a.slug);
      await page.getByTestId("service-row-API").waitFor();
      for (const name of ["API tokens", "Audit log", "Settings", "Console"]) expect(await page.getByRole("link", { name }).count()).toBe(0);
      await page.getByRole("link", { name: "Members" }).click();
      await page.getByRole("heading", { name: "Members" }).waitFor();
      await page.getByText("Only admins can see and invite members").waitFor();
      await page.getByRole("button", { name: "Leave organisation" }).waitFor();
      await screenshot(page, "dashboard-member-members");
      await page.goBack();
      await page.getByTestId("service-row-API").waitFor();
      await page.getByTestId("topbar-status").waitFor();
      expect(await page.evaluate(() => (window as unknown as { blanked: string[] }).blanked)).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it("shows a member an admin-only page's address as 'admins only' inside the dashboard", async () => {
      const { page, errors } = await openPage(browser);
      await signIn(page, a.memberEmail, a.slug);
      for (const path of ["tokens", "audit", "settings", "console"]) {
        await page.goto(`${t.url}/org/${a.slug}/${path}`);
        await page.getByTestId("admins-only").filter({ hasText: "Admins only" }).waitFor();
        // Still the dashboard: its navigation and top bar are there.
        await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Services" }).waitFor();
        await page.getByTestId("viewer").filter({ hasText: "Member" }).waitFor();
      }
      await screenshot(page, "dashboard-member-admins-only");
      await page.getByRole("link", { name: "Go to the services" }).click();
      await page.getByTestId("service-row-API").waitFor();
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it("keeps the dashboard of an admin demoted while it is open: the refused page says so, the navigation catches up", async () => {
      const b = await createTenant(t);
      // The member becomes an admin and opens the dashboard; then the owner makes them a member again.
      await gqlAs(b.admin, `mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`, { input: { organizationId: b.orgId, userId: b.memberUserId, role: "ADMIN" } });
      const { page, errors } = await openPage(browser);
      await watchForBlankDashboard(page);
      await signIn(page, b.memberEmail, b.slug);
      await page.getByRole("link", { name: "API tokens" }).waitFor();
      await gqlAs(b.admin, `mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { role } }`, { input: { organizationId: b.orgId, userId: b.memberUserId, role: "MEMBER" } });
      await page.getByRole("link", { name: "API tokens" }).click();
      // The refusal is shown where it happened, then the role is read again and the page is for admins only.
      await page.getByTestId("admins-only").waitFor();
      await page.getByTestId("viewer").filter({ hasText: "Member" }).waitFor();
      expect(await page.getByRole("link", { name: "API tokens" }).count()).toBe(0);
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Services" }).click();
      await page.getByTestId("service-row-API").waitFor();
      await page.goBack();
      await page.getByTestId("admins-only").waitFor();
      // Not even for a moment did the dashboard give way to "not a member".
      expect(await page.evaluate(() => (window as unknown as { blanked: string[] }).blanked)).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  });

  describe("3. the top bar's page status", () => {
    it("follows an incident opened with an API token and a maintenance window the clock starts", async () => {
      const a = await createTenant(t);
      const { page, errors } = await openPage(browser);
      await signIn(page, a.adminEmail, a.slug);
      await live(page);
      const status = page.getByTestId("topbar-status");
      await status.filter({ hasText: "All Systems Operational" }).waitFor();
      const opened = await gqlAs<{ createIncident: { id: string } }>(
        a.adminApiToken,
        `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
        { input: { serviceIds: [a.serviceId], title: "Slow API", message: "Looking into it.", impact: "PARTIAL_OUTAGE" } },
      );
      await status.filter({ hasText: "Partial System Outage" }).waitFor({ timeout: 5_000 });
      await gqlAs(a.adminApiToken, `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`, { input: { id: opened.createIncident.id, status: "RESOLVED", message: "Fixed." } });
      await status.filter({ hasText: "All Systems Operational" }).waitFor({ timeout: 5_000 });
      // A window that starts in a moment: the server's clock moves it, nobody in the dashboard does.
      const soon = new Date(Date.now() + 1_500);
      await gqlAs(a.admin, `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`, {
        input: { organizationId: a.orgId, serviceIds: [a.serviceId], title: "Upgrade", scheduledStart: soon.toISOString(), scheduledEnd: new Date(soon.getTime() + 3_600_000).toISOString() },
      });
      await status.filter({ hasText: "Service Under Maintenance" }).waitFor({ timeout: 8_000 });
      await screenshot(page, "dashboard-topbar-maintenance");
      expect(errors).toEqual([]);
      await page.context().close();
    });
  });
});
