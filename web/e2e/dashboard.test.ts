// End to end, in Chromium: the dashboard as people use it (issue 11, points 2 to 9): a refused
// field never blanks it, the top bar follows changes made elsewhere, a status set by hand is
// asked for and shown, groups and service names, the maintenance order, errors beside their
// field, empty states.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, createTenant, PASSWORD, signUp, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { hasChromium, launch, openPage, screenshot, signIn as signInAs } from "./browser.ts";

if (!hasChromium) console.warn("Skipping browser tests: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it).");

describe.skipIf(!hasChromium)("the dashboard in Chromium", () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const live = (page: Page) => page.locator('[role=status][data-state="live"]').first().waitFor({ timeout: 10_000 });

  const signIn = (page: Page, email: string, slug: string) => signInAs(page, { url: t.url, email, password: PASSWORD, slug });

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
      for (const name of ["API tokens", "Subscribers", "Audit log", "Settings", "Console"]) expect(await page.getByRole("link", { name }).count()).toBe(0);
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
      for (const path of ["tokens", "subscribers", "audit", "settings", "console"]) {
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

  describe("4. a status set by hand", () => {
    it("asks before overriding a status an incident set, and the dashboard and the public page say it was set by hand", async () => {
      const a = await createTenant(t);
      await gqlAs(a.admin, `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, {
        input: { serviceIds: [a.serviceId], title: "Checkout down", message: "Payments fail.", impact: "PARTIAL_OUTAGE" },
      });
      const { page, errors } = await openPage(browser);
      await signIn(page, a.adminEmail, a.slug);
      const row = page.getByTestId("service-row-API");
      await row.getByTestId("status-source").filter({ hasText: "set by the incident “Checkout down”" }).waitFor();
      const serviceStatus = async () =>
        (await gqlAs<{ organization: { service: { status: string; statusSource: { kind: string } } } }>(a.admin, `query($slug: String!, $id: ID!) { organization(slug: $slug) { service(id: $id) { status statusSource { kind } } } }`, { slug: a.slug, id: a.serviceId })).organization.service;

      // Choosing a status only asks, saying what it overrides; keeping changes nothing.
      await row.getByLabel("Status of API").selectOption("OPERATIONAL");
      const ask = row.getByRole("group", { name: "Set the status of API by hand" });
      await ask.filter({ hasText: "The incident “Checkout down” set this status" }).waitFor();
      await screenshot(page, "dashboard-override-ask");
      await ask.getByRole("button", { name: "Keep Partial outage" }).click();
      await ask.waitFor({ state: "detached" });
      expect(await serviceStatus()).toEqual({ status: "PARTIAL_OUTAGE", statusSource: { kind: "INCIDENT" } });

      await row.getByLabel("Status of API").selectOption("OPERATIONAL");
      await ask.getByRole("button", { name: "Set Operational" }).click();
      await row.getByTestId("status-source").filter({ hasText: "set by hand" }).waitFor();
      expect(await serviceStatus()).toEqual({ status: "OPERATIONAL", statusSource: { kind: "MANUAL" } });

      // The incident, still open, no longer claims the service is in partial outage without a word.
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Incidents" }).click();
      await page.getByTestId("incident-Checkout down").getByTestId("affected-services").filter({ hasText: "API (partial outage; now operational, set by hand)" }).waitFor();

      const visitor = await openPage(browser);
      await visitor.page.goto(`${t.url}/status/${a.slug}`);
      await visitor.page.getByTestId("service-API").getByTestId("set-by-hand").waitFor();
      await visitor.page.getByTestId("incident-Checkout down").getByTestId("affected-services").filter({ hasText: "now operational, set by hand" }).waitFor();
      await screenshot(visitor.page, "public-set-by-hand");
      expect([...errors, ...visitor.errors]).toEqual([]);
      await Promise.all([page.context().close(), visitor.page.context().close()]);
    });
  });

  describe("5. groups and names", () => {
    it("picks groups from the existing ones (case aside), and refuses a duplicate name beside the field", async () => {
      const a = await createTenant(t);
      const { page, errors } = await openPage(browser);
      await signIn(page, a.adminEmail, a.slug);
      const add = page.getByRole("form", { name: "Add a service" });
      await add.getByLabel("Name", { exact: true }).fill("Website");
      await add.getByLabel("Group").selectOption({ label: "New group…" });
      await add.getByLabel("New group name").fill("Frontend");
      await add.getByRole("button", { name: "Add service" }).click();
      await page.getByTestId("service-row-Website").filter({ hasText: "Frontend" }).waitFor();

      // Typing an existing group in another case joins it, and says so first.
      await add.getByLabel("Name", { exact: true }).fill("Mobile app");
      await add.getByLabel("Group").selectOption({ label: "New group…" });
      await add.getByLabel("New group name").fill("frontend");
      await add.getByText("Same as the existing group “Frontend”").waitFor();
      await add.getByRole("button", { name: "Add service" }).click();
      await page.getByTestId("service-row-Mobile app").filter({ hasText: "Frontend" }).waitFor();
      expect(await add.getByLabel("Group").locator("option").allTextContents()).toEqual(["No group", "Frontend", "New group…"]);

      // An existing group picked from the list.
      await add.getByLabel("Name", { exact: true }).fill("Search");
      await add.getByLabel("Group").selectOption("Frontend");
      await add.getByRole("button", { name: "Add service" }).click();
      await page.getByTestId("service-row-Search").filter({ hasText: "Frontend" }).waitFor();

      // A name the organisation has, in another case: refused beside the name, until it changes.
      await add.getByLabel("Name", { exact: true }).fill("api");
      await add.getByRole("button", { name: "Add service" }).click();
      const name = add.getByLabel("Name", { exact: true });
      await add.getByRole("alert").filter({ hasText: "There is already a service called “api”: choose another name." }).waitFor();
      await expect(name.getAttribute("aria-invalid")).resolves.toBe("true");
      await screenshot(page, "dashboard-service-name-taken");
      await name.fill("API gateway");
      await add.getByRole("alert").waitFor({ state: "detached" });
      await expect(name.getAttribute("aria-invalid")).resolves.toBeNull();

      const visitor = await openPage(browser);
      await visitor.page.goto(`${t.url}/status/${a.slug}`);
      await visitor.page.getByTestId("service-Search").waitFor();
      expect(await visitor.page.getByRole("heading", { name: "Frontend" }).count()).toBe(1);
      expect([...errors, ...visitor.errors]).toEqual([]);
      await Promise.all([page.context().close(), visitor.page.context().close()]);
    });
  });

  describe("6. the maintenance list", () => {
    it("shows the window in progress first, then upcoming soonest first, then past", async () => {
      const a = await createTenant(t);
      const schedule = async (title: string, start: Date, hours = 1) =>
        (
          await gqlAs<{ scheduleMaintenance: { id: string } }>(a.admin, `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`, {
            input: { organizationId: a.orgId, serviceIds: [a.serviceId], title, scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + hours * 3_600_000).toISOString() },
          })
        ).scheduleMaintenance.id;
      const day = 86_400_000;
      await schedule("Far future", new Date("2037-01-01T10:00:00Z"));
      const now = await schedule("Happening now", new Date(Date.now() + 1_000), 2);
      await schedule("Next week", new Date(Date.now() + 7 * day));
      await schedule("Tomorrow", new Date(Date.now() + day));
      const cancelled = await schedule("Called off", new Date(Date.now() + 2 * day));
      await gqlAs(a.admin, `mutation($id: ID!) { cancelMaintenance(id: $id) { id } }`, { id: cancelled });
      await expect
        .poll(async () => (await gqlAs<{ organization: { maintenances: { id: string; status: string }[] } }>(a.admin, `query($slug: String!) { organization(slug: $slug) { maintenances(state: ALL) { id status } } }`, { slug: a.slug })).organization.maintenances.find((m) => m.id === now)?.status, { timeout: 8_000 })
        .toBe("IN_PROGRESS");

      const { page, errors } = await openPage(browser);
      await signIn(page, a.adminEmail, a.slug);
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Maintenance" }).click();
      await page.getByTestId("maintenance-Happening now").filter({ hasText: "In progress" }).waitFor();
      expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual(["In progress", "Upcoming", "Past"]);
      const titles = await page.locator('[data-testid^="maintenance-"] li strong').allTextContents();
      expect(titles).toEqual(["Happening now", "Tomorrow", "Next week", "Far future", "Called off"]);
      await screenshot(page, "dashboard-maintenance-order");
      expect(errors).toEqual([]);
      await page.context().close();
    });
  });

  describe("7. errors beside their field, in the product's words", () => {
    it("shows a maintenance window ending before it starts beside Ends, and clears it when the input changes", async () => {
      const a = await createTenant(t);
      const { page, errors } = await openPage(browser);
      await signIn(page, a.adminEmail, a.slug);
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Maintenance" }).click();
      await page.getByText("Schedule maintenance").click();
      const form = page.getByRole("form", { name: "Schedule maintenance" });
      const local = (hoursAhead: number) => {
        const d = new Date(Date.now() + hoursAhead * 3_600_000);
        return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      };
      await form.getByLabel("Title").fill("Backwards");
      await form.getByLabel("Starts").fill(local(26));
      await form.getByLabel("Ends").fill(local(24));
      await form.getByLabel("API").check();
      await form.getByRole("button", { name: "Schedule" }).click();
      const ends = form.getByLabel("Ends");
      await expect.poll(() => ends.getAttribute("aria-invalid")).toBe("true");
      const describedBy = (await ends.getAttribute("aria-describedby")) ?? "";
      await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe("The end must be later than the start.");
      const text = (await form.textContent()) ?? "";
      expect(text).not.toMatch(/scheduledEnd|scheduledStart|serviceIds|Variable "\$input"/);
      await screenshot(page, "dashboard-maintenance-error");
      await ends.fill(local(28));
      await form.getByRole("alert").waitFor({ state: "detached" });
      await form.getByRole("button", { name: "Schedule" }).click();
      await page.getByTestId("maintenance-Backwards").waitFor();
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it("bounds a service's order in the form, so an out-of-range number never reaches the server as raw GraphQL", async () => {
      const a = await createTenant(t);
      const { page, errors } = await openPage(browser);
      const sent: string[] = [];
      page.on("request", (request) => {
        if (request.url().endsWith("/graphql") && request.method() === "POST" && request.postData()?.includes("UpdateService")) sent.push(request.postData() ?? "");
      });
      await signIn(page, a.adminEmail, a.slug);
      await page.getByTestId("service-row-API").getByRole("button", { name: "Edit" }).click();
      const form = page.getByRole("form", { name: "Edit API" });
      const order = form.getByLabel("Order");
      await expect(order.getAttribute("max")).resolves.toBe("100000");
      await expect(order.getAttribute("min")).resolves.toBe("0");
      await order.fill("999999999999");
      await form.getByRole("button", { name: "Save" }).click();
      expect(await order.evaluate((input: HTMLInputElement) => input.validity.rangeOverflow)).toBe(true);
      expect(sent).toEqual([]);
      await order.fill("3");
      await form.getByRole("button", { name: "Save" }).click();
      await form.waitFor({ state: "detached" });
      expect(sent).toHaveLength(1);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it("says a taken page address in words beside the field on sign-up", async () => {
      const owner = await signUp(t);
      const { page, errors } = await openPage(browser);
      await page.goto(`${t.url}/signup`);
      await page.getByLabel("Your name").fill("Grace");
      await page.getByLabel("Email").fill(`taken-${Date.now().toString(36)}@example.com`);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByLabel("Organisation name").fill("Taken");
      const address = page.getByLabel("Page address (optional)");
      await address.fill(owner.slug);
      await page.getByRole("button", { name: "Create organisation" }).click();
      await page.getByRole("alert").filter({ hasText: `The page address “${owner.slug}” is taken: choose another.` }).waitFor();
      await expect(address.getAttribute("aria-invalid")).resolves.toBe("true");
      await screenshot(page, "signup-address-taken");
      await address.fill(`${owner.slug}-2`);
      await page.getByRole("alert").waitFor({ state: "detached" });
      expect(errors).toEqual([]);
      await page.context().close();
    });
  });

  describe("9. empty states", () => {
    it("tells a new organisation to add a service before incidents and maintenance, with a link there", async () => {
      const owner = await signUp(t);
      const { page, errors } = await openPage(browser);
      await signIn(page, owner.email, owner.slug);
      await page.getByTestId("no-services").waitFor();
      const nav = page.getByRole("navigation", { name: "Sections" });
      for (const [section, testId] of [["Incidents", "incidents-need-services"], ["Maintenance", "maintenance-needs-services"]] as const) {
        await nav.getByRole("link", { name: section }).click();
        await page.getByTestId(testId).waitFor();
        expect(await page.getByRole("button", { name: "Open an incident" }).count()).toBe(0);
        expect(await page.getByText("Schedule maintenance").count()).toBe(0);
        await screenshot(page, `dashboard-empty-${section.toLowerCase()}`);
        await page.getByRole("link", { name: "Add a service first" }).click();
        await page.waitForURL(`**/org/${owner.slug}/services`);
        await page.getByRole("form", { name: "Add a service" }).waitFor();
      }
      // Once there is a service, the forms are there.
      await createService(t, { orgId: owner.orgId, admin: owner.token }, "API");
      await nav.getByRole("link", { name: "Incidents" }).click();
      await page.getByRole("button", { name: "Open an incident" }).waitFor();
      expect(errors).toEqual([]);
      await page.context().close();
    });
  });
});
