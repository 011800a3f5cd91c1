// The public page's rough edges, in Chromium, as a visitor meets them (issue 11 points 9, 11, 12,
// 14): no sideways scrolling on a phone, WCAG AA contrast (axe-core) in every status, uptime days
// reachable by keyboard and touch with a readable summary, times in the viewer's zone with UTC on
// hover, the maintenance form reading times in the admin's zone, and an honest empty page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, signUp, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { formatInZone } from "../src/components/time.ts";
import { hasChromium, launch, openPage, screenshot } from "./browser.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DAY = 86_400_000;

interface AxeViolation {
  id: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's violations on the page as it is now (all rules, or only those named). */
async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  // Evaluated through the debugging protocol: the page's CSP (script-src 'self') stays on.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(AXE, "utf8"));
  const violations = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, only ? { runOnly: { type: "rule", values: only } } : {});
    return result.violations;
  }, rules ?? null);
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary ?? ""}`));
}

describe.skipIf(!hasChromium)("the public page's edges in Chromium", () => {
  let t: TestApp;
  let a: Tenant;
  let browser: Browser;
  let pastIncidentId: string;
  const midnight = Math.floor(Date.now() / DAY) * DAY;
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t);
    browser = await launch();
    // A service with 100 days of past (so every window is full), an outage five days ago and
    // the incident that reported it, written around the mutation runner as the demo seed does.
    const prisma = t.app.services.db.prisma;
    const service = await prisma.service.create({ data: { organizationId: a.orgId, name: "Checkout and payments (EU)", position: 1, createdAt: new Date(midnight - 100 * DAY), statusSince: new Date(midnight - 100 * DAY) } });
    const outageStart = new Date(midnight - 5 * DAY + 9 * 3_600_000);
    const outageEnd = new Date(outageStart.getTime() + 3 * 3_600_000);
    for (const [at, status] of [[outageStart, "PARTIAL_OUTAGE"], [outageEnd, "OPERATIONAL"]] as const) {
      const org = await prisma.organization.update({ where: { id: a.orgId }, data: { eventSeq: { increment: 1 } } });
      await prisma.event.create({ data: { organizationId: a.orgId, position: org.eventSeq, kind: "SERVICE_STATUS_CHANGED", serviceId: service.id, serviceStatus: status, occurredAt: at } });
    }
    const incident = await prisma.incident.create({ data: { organizationId: a.orgId, title: "Payments delayed", status: "RESOLVED", createdAt: outageStart, resolvedAt: outageEnd } });
    pastIncidentId = incident.id;
    await prisma.incidentService.create({ data: { organizationId: a.orgId, incidentId: incident.id, serviceId: service.id, fromStatus: "OPERATIONAL", toStatus: "PARTIAL_OUTAGE" } });
    await prisma.incidentUpdate.create({ data: { organizationId: a.orgId, incidentId: incident.id, status: "RESOLVED", message: "Payments go through again.", createdAt: outageEnd } });
    t.app.services.pages.invalidate(a.orgId);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const live = (page: Page) => page.locator('[role=status][data-state="live"]').first().waitFor({ timeout: 10_000 });
  const setStatus = async (status: string) =>
    ok(await t.gql(`mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`, { id: a.serviceId, s: status }, { token: a.admin }));
  const bars = (page: Page) => page.getByTestId("service-Checkout and payments (EU)").locator("button.uptime-day");

  it.each([390, 320])("fits a %i px phone: no sideways scrolling, and the Today bar on screen", async (width) => {
    const { page, errors } = await openPage(browser, { width });
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    const today = bars(page).last();
    await expect(today.getAttribute("data-date")).resolves.toBe(isoDay(midnight));
    expect(await today.isVisible()).toBe(true);
    const box = (await today.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(innerWidth);
    // A phone shows the last 30 days, each wide enough to tap.
    expect(await bars(page).evaluateAll((days) => days.filter((d) => (d as HTMLElement).offsetParent !== null).length)).toBe(30);
    expect(box.width).toBeGreaterThanOrEqual(5);
    await page.getByText("30 days ago").first().waitFor();
    await screenshot(page, `public-phone-${width}`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("has no axe violations at desktop and phone width, and enough contrast in every status", async () => {
    for (const width of [1200, 390]) {
      const { page, errors } = await openPage(browser, { width });
      await page.goto(`${t.url}/status/${a.slug}`);
      await live(page);
      await bars(page).last().focus(); // with a day's summary open
      await page.getByTestId("uptime-summary").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    const incident = ok(
      await t.gql<{ createIncident: { id: string } }>(
        `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`,
        { input: { serviceIds: [a.serviceId], title: "Logins slow", message: "Looking into it.", impact: "DEGRADED_PERFORMANCE" } },
        { token: a.admin },
      ),
    ).createIncident.id;
    // Each status the page can show: its banner, pills and incident impact must all stay readable.
    const shown = { DEGRADED_PERFORMANCE: "Partially Degraded Service", PARTIAL_OUTAGE: "Partial System Outage", MAJOR_OUTAGE: "Major System Outage", UNDER_MAINTENANCE: "Service Under Maintenance", OPERATIONAL: "All Systems Operational" };
    for (const [status, description] of Object.entries(shown)) {
      if (status !== "DEGRADED_PERFORMANCE") await setStatus(status);
      await page.getByTestId("page-status").filter({ hasText: description }).waitFor({ timeout: 5_000 });
      expect(await axeViolations(page, ["color-contrast"]), status).toEqual([]);
      if (status === "MAJOR_OUTAGE") await screenshot(page, "public-major-outage-contrast");
    }
    ok(await t.gql(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id: incident }, { token: a.admin }));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("reaches the uptime days with Tab and the arrow keys, each with its summary", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    const focusedDay = () => page.evaluate(() => (document.activeElement?.matches("button.uptime-day") ? document.activeElement.closest("li")!.getAttribute("data-testid") : null));
    let reached: string | null = null;
    for (let i = 0; i < 30 && reached !== "service-Checkout and payments (EU)"; i++) {
      await page.keyboard.press("Tab");
      reached = await focusedDay();
    }
    expect(reached).toBe("service-Checkout and payments (EU)");
    const service = page.getByTestId("service-Checkout and payments (EU)");
    // Tab lands on today; its summary shows under the bar.
    await expect(page.evaluate(() => document.activeElement!.getAttribute("data-date"))).resolves.toBe(isoDay(midnight));
    const summary = service.getByTestId("uptime-summary");
    await summary.filter({ hasText: "100.00% up" }).filter({ hasText: "No incidents" }).waitFor();
    // Five days back: the outage, its uptime and the incident of that day.
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
    await expect(page.evaluate(() => document.activeElement!.getAttribute("data-date"))).resolves.toBe(isoDay(midnight - 5 * DAY));
    await summary.filter({ hasText: "87.50% up" }).filter({ hasText: "Partial outage" }).waitFor();
    const link = summary.getByRole("link", { name: "Payments delayed" });
    await expect(link.getAttribute("href")).resolves.toBe(`/status/${a.slug}/incidents/${pastIncidentId}`);
    const label = await page.evaluate(() => document.activeElement!.getAttribute("aria-label"));
    expect(label).toMatch(/\(UTC\): 87\.50% up, partial outage at worst, 1 incident: Payments delayed$/);
    await screenshot(page, "public-uptime-day-summary");
    // Tab goes on from the day into its summary's link, the summary staying open.
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement!.textContent)).resolves.toBe("Payments delayed");
    await summary.waitFor();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("End");
    await expect(page.evaluate(() => document.activeElement!.getAttribute("data-date"))).resolves.toBe(isoDay(midnight));
    expect(errors).toEqual([]);
    await page.context().close();

    // On a touch screen a tap opens the day's summary.
    const phone = await openPage(browser, { width: 390, hasTouch: true });
    await phone.page.goto(`${t.url}/status/${a.slug}`);
    await live(phone.page);
    await bars(phone.page).nth(90 - 1 - 5).tap();
    await phone.page.getByTestId("service-Checkout and payments (EU)").getByTestId("uptime-summary").filter({ hasText: "Payments delayed" }).waitFor();
    await screenshot(phone.page, "public-phone-day-tapped");
    // A bar is narrower than a finger: a tap on the day beside it, then a full-size step, gets there too.
    const phoneSummary = phone.page.getByTestId("service-Checkout and payments (EU)").getByTestId("uptime-summary");
    await bars(phone.page).nth(90 - 1 - 6).tap();
    await phoneSummary.filter({ hasText: "No incidents" }).waitFor();
    const later = phoneSummary.getByRole("button", { name: "Later day ›" });
    const box = (await later.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
    await later.tap();
    await phoneSummary.filter({ hasText: "Payments delayed" }).waitFor();
    for (let i = 0; i < 5; i++) await later.tap();
    await expect.poll(() => later.getAttribute("aria-disabled")).toBe("true"); // today is the last day
    await expect(bars(phone.page).last().getAttribute("data-open")).resolves.toBe("");
    await expect(phoneSummary.getByRole("button", { name: "‹ Earlier day" }).getAttribute("aria-disabled")).resolves.toBe("false");
    expect(phone.errors).toEqual([]);
    await phone.page.context().close();
  });

  it("shows times in the viewer's zone with the zone named, and UTC on hover and focus", async () => {
    const { page, errors } = await openPage(browser, { timezoneId: "America/New_York", locale: "en-US" });
    await page.goto(`${t.url}/status/${a.slug}`);
    await live(page);
    const updated = page.locator(".banner time");
    const iso = (await updated.getAttribute("datetime"))!;
    const { statusPage } = ok(await t.gql<{ statusPage: { status: { updatedAt: string } } }>(`query($s: String!) { statusPage(slug: $s) { status { updatedAt } } }`, { s: a.slug }, { endpoint: "/graphql/public" }));
    expect(iso).toBe(statusPage.status.updatedAt);
    const spaces = (text: string) => text.replace(/\s+/g, " ");
    const local = spaces(formatInZone(iso, "America/New_York", "en-US"));
    expect(local).toMatch(/ E[SD]T$/);
    const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
    await expect(updated.textContent().then((text) => spaces(text ?? ""))).resolves.toBe(`${local} (${utc})`);
    const bubble = updated.locator(".time-utc");
    expect((await bubble.boundingBox())!.width).toBeLessThanOrEqual(1); // read out, not shown
    await updated.hover();
    expect((await bubble.boundingBox())!.width).toBeGreaterThan(50);
    await page.mouse.move(0, 0);
    expect((await bubble.boundingBox())!.width).toBeLessThanOrEqual(1);
    await updated.focus();
    expect((await bubble.boundingBox())!.width).toBeGreaterThan(50);
    await screenshot(page, "public-time-utc-bubble");
    // An incident's timeline too.
    await page.getByTestId("incident-Payments delayed").locator("time").first().getAttribute("datetime").then((value) => expect(value).toBeTruthy());
    await expect(page.getByTestId("incident-Payments delayed").locator("time").first().textContent()).resolves.toMatch(/E[SD]T \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("reads the maintenance form's times in the admin's zone and says which", async () => {
    const { page, errors } = await openPage(browser, { timezoneId: "Europe/Berlin", locale: "en-GB" });
    await page.goto(`${t.url}/login`);
    await page.getByLabel("Email").fill(a.adminEmail);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/org/${a.slug}/services`);
    await page.getByRole("link", { name: "Maintenance" }).click();
    await page.getByText("Schedule maintenance").click();
    await page.getByLabel("Title").fill("Database upgrade");
    const starts = page.getByLabel("Starts");
    await expect(page.locator("label", { has: starts }).textContent()).resolves.toContain("Europe/Berlin (CET)");
    await starts.fill("2037-01-15T09:00");
    await page.getByLabel("Ends").fill("2037-01-15T11:30");
    await page.getByLabel("API", { exact: true }).check();
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.getByText("Database upgrade").waitFor();
    const data = ok(await t.gql<{ organization: { maintenances: { title: string; scheduledStart: string; scheduledEnd: string }[] } }>(`query($s: String!) { organization(slug: $s) { maintenances(state: ALL) { title scheduledStart scheduledEnd } } }`, { s: a.slug }, { token: a.admin }));
    const window = data.organization.maintenances.find((m) => m.title === "Database upgrade")!;
    expect(new Date(window.scheduledStart).toISOString()).toBe("2037-01-15T08:00:00.000Z");
    expect(new Date(window.scheduledEnd).toISOString()).toBe("2037-01-15T10:30:00.000Z");
    const row = page.locator("li.row", { hasText: "Database upgrade" });
    await row.locator("time").first().filter({ hasText: /^15 Jan 2037, 09:00 CET/ }).waitFor();
    await row.getByRole("button", { name: "Edit" }).click();
    await expect(row.getByLabel("Starts").inputValue()).resolves.toBe("2037-01-15T09:00");
    await screenshot(page, "dashboard-maintenance-berlin");
    await row.getByRole("button", { name: "Cancel", exact: true }).click();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("says an organisation with no services monitors nothing yet, and shows its admin where to add one", async () => {
    const empty = await signUp(t);
    const visitor = await openPage(browser, { width: 390 });
    await visitor.page.goto(`${t.url}/status/${empty.slug}`);
    await live(visitor.page);
    await visitor.page.getByRole("heading", { name: "Nothing is monitored here yet" }).waitFor();
    expect(await visitor.page.getByTestId("page-status").count()).toBe(0);
    expect(await visitor.page.getByText("All Systems Operational").count()).toBe(0);
    expect(await visitor.page.getByRole("link", { name: "add the first service" }).count()).toBe(0);
    await screenshot(visitor.page, "public-empty-visitor");
    expect(visitor.errors).toEqual([]);
    await visitor.page.context().close();

    // Signed in as an admin of another organisation: still only the visitor's message.
    const outsider = await openPage(browser);
    await outsider.page.goto(`${t.url}/login`);
    await outsider.page.evaluate((token) => localStorage.setItem("statuspage.session", token), a.admin);
    await outsider.page.goto(`${t.url}/status/${empty.slug}`);
    await outsider.page.getByRole("heading", { name: "Nothing is monitored here yet" }).waitFor();
    await outsider.page.waitForLoadState("networkidle");
    expect(await outsider.page.getByRole("link", { name: "add the first service" }).count()).toBe(0);
    expect(outsider.errors).toEqual([]);
    await outsider.page.context().close();

    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/login`);
    await page.evaluate((token) => localStorage.setItem("statuspage.session", token), empty.token);
    await page.goto(`${t.url}/status/${empty.slug}`);
    await page.getByRole("link", { name: "add the first service" }).click();
    await page.waitForURL(`**/org/${empty.slug}/services`);
    await page.getByRole("button", { name: "Add service" }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
