// Email subscribers in Chromium, with a local SMTP server (issue 12 item 4): a visitor subscribes
// on the public page to one service at phone width, the confirmation mail arrives, its link opens
// the confirm page, and an incident on that service is mailed; the manage page changes the choice
// and unsubscribes; a dead link says so; a member has no Subscribers page; an admin sees the
// subscriber, exports the CSV and removes them. No console errors; axe-core on every view.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import type { Browser, Page } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, unique, type TestApp } from "../../api/test/harness.ts";
import { waitUntil } from "../../api/test/cluster-kit.ts";
import { hasChromium, launch, openPage, screenshot, signIn as signInAs } from "./browser.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const until = (check: () => boolean, timeoutMs = 10_000) => waitUntil(() => Promise.resolve(check()), timeoutMs);

/** Every mail the app sends, as the recipient gets it. */
class Mailbox {
  readonly mails: { to: string[]; mail: ParsedMail }[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream, (error, mail) => {
        if (!error) this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
        callback(error ?? null);
      });
    },
  });
  port = 0;
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }
  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => m.to.includes(address)).map((m) => m.mail);
  }
  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses an injected tag.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(AXE, "utf8"));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

describe.skipIf(!hasChromium)("email subscribers in Chromium", () => {
  let t: TestApp;
  let a: Tenant;
  let browser: Browser;
  const mailbox = new Mailbox();
  let checkout = "";
  let search = "";
  const visitor = `${unique("visitor")}@example.com`;

  beforeAll(async () => {
    await mailbox.start();
    t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${mailbox.port}`, mailFrom: "Status <status@example.test>", webhooks: { pollIntervalMs: 100 }, statusBaseDomain: "localhost",
      // The production default (the harness turns it off): 5 subscribes an hour per address, 50 subscription calls per IP; this suite makes about 25.
      subscribeRateLimit: 5,
    });
    a = await createTenant(t);
    // Two grouped services besides the tenant's own: the dialog groups them as the page does.
    const create = async (name: string, group: string) =>
      ok(await t.gql<{ createService: { id: string } }>(`mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, { input: { organizationId: a.orgId, name, group } }, { token: a.admin })).createService.id;
    checkout = await create("Checkout", "Payments");
    search = await create("Search", "Storefront");
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await mailbox.stop();
  });

  /** The address of a link of the web app in a mail, on the test's server (the mail names PUBLIC_URL). */
  function linkIn(mail: ParsedMail, pattern: RegExp): string {
    const match = pattern.exec(mail.text ?? "");
    if (!match) throw new Error(`no link in: ${mail.text}`);
    const url = new URL(match[0]);
    return `${t.url}${url.pathname}${url.search}`;
  }
  const confirmLink = (mail: ParsedMail) => linkIn(mail, /https?:\/\/\S+\/subscription\/confirm\?token=[^\s"<>]+/);

  const signIn = (page: Page, email: string) => signInAs(page, { url: t.url, email, password: PASSWORD, slug: a.slug });

  it("a visitor subscribes to one service on a phone, confirms from the mail, and gets the incident's mail", async () => {
    const { page, errors } = await openPage(browser, { width: 390 });
    await page.goto(`${t.url}/status/${a.slug}`);
    await page.locator('[role=status][data-state="live"]').first().waitFor({ timeout: 10_000 });

    // Keyboard: the button opens the dialog with the address focused; Escape closes it and focus comes back.
    const open = page.getByRole("button", { name: "Subscribe" });
    await open.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /^Get updates from / });
    await dialog.waitFor();
    await expect(dialog.getByLabel("Email").evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect(open.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    // A wrong address is said beside the field, in words.
    await page.keyboard.type("not-an-address");
    await dialog.getByRole("button", { name: "Subscribe" }).click();
    await dialog.getByText("Enter a valid email address, like name@example.com.").waitFor();
    await expect(dialog.getByLabel("Email").getAttribute("aria-invalid")).resolves.toBe("true");
    await dialog.getByLabel("Email").fill(visitor);
    await dialog.getByLabel("Only the services I choose").check();
    // Grouped as on the page: each group is a fieldset named by it.
    await dialog.getByRole("group", { name: "Payments" }).getByLabel("Checkout").waitFor();
    await dialog.getByRole("group", { name: "Storefront" }).getByLabel("Search").waitFor();
    await dialog.getByRole("button", { name: "Subscribe" }).click();
    await dialog.getByText("Choose at least one service, or all services.").waitFor();
    await dialog.getByLabel("Checkout").check();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "subscribe-dialog-phone");
    await dialog.getByRole("button", { name: "Subscribe" }).click();
    await dialog.getByText("Check your inbox to confirm.").waitFor();
    await dialog.getByText("the link works for 48 hours", { exact: false }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "subscribe-dialog-sent-phone");
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });

    // The confirmation mail; its link opens the confirm page, which names the chosen service.
    await until(() => mailbox.to(visitor).length === 1);
    await page.goto(confirmLink(mailbox.to(visitor)[0]!));
    const confirmed = page.getByTestId("confirmed");
    await confirmed.getByText("Subscription confirmed.").waitFor();
    await expect(confirmed.textContent()).resolves.toContain("Checkout");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "subscription-confirmed-phone");

    // An incident on that service is mailed; one on another service is not.
    ok(await t.gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [search], title: "Search is slow", message: "Looking.", impact: "DEGRADED_PERFORMANCE" } }, { token: a.admin }));
    ok(await t.gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [checkout], title: "Payments failing", message: "We are on it.", impact: "MAJOR_OUTAGE" } }, { token: a.admin }));
    await until(() => mailbox.to(visitor).some((m) => (m.subject ?? "").includes("Payments failing")), 15_000);
    expect(mailbox.to(visitor).some((m) => (m.subject ?? "").includes("Search is slow") || (m.text ?? "").includes("Search is slow"))).toBe(false);

    // The manage page, from the confirm page: the choice as it is; all services from now on.
    await page.getByRole("link", { name: "Change the services or unsubscribe" }).click();
    await page.waitForURL(/\/subscription\?token=/);
    await expect(page.getByLabel("Checkout").isChecked()).resolves.toBe(true);
    await page.getByLabel("Checkout").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Choose at least one service, or all services — or unsubscribe below.").waitFor();
    await page.getByLabel("All services, also ones added later").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("subscription-saved").filter({ hasText: "all services" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "subscription-manage-phone");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("says a dead link is dead, with the way to subscribe again; unsubscribing from the manage page ends the mails", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/status/${a.slug}/subscription/confirm?token=not-a-token`);
    await page.getByTestId("confirm-refused").getByText("This confirmation link has expired or is not valid.").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Subscribe again on the status page" }).click();
    await page.waitForURL(`**/status/${a.slug}`);
    await page.getByRole("button", { name: "Subscribe" }).waitFor();

    const leaver = `${unique("leaver")}@example.com`;
    ok(await t.gql(`mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`, { input: { slug: a.slug, email: leaver } }, { endpoint: "/graphql/public" }));
    await until(() => mailbox.to(leaver).length === 1);
    const manage = confirmLink(mailbox.to(leaver)[0]!).replace("/subscription/confirm?", "/subscription?");
    await page.goto(manage);
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await page.getByTestId("unsubscribed").getByText("You are unsubscribed.").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The link is dead now.
    await page.goto(manage);
    await page.getByTestId("manage-refused").waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("says a reached limit beside the address, in words", async () => {
    const limited = `${unique("limited")}@example.com`;
    // The address's hourly allowance (SUBSCRIBE_RATE_LIMIT, 5 by default) spent elsewhere.
    for (let i = 0; i < 5; i++) ok(await t.gql(`mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`, { input: { slug: a.slug, email: limited } }, { endpoint: "/graphql/public" }));
    const { page, errors } = await openPage(browser, { width: 390 });
    await page.goto(`${t.url}/status/${a.slug}`);
    await page.getByRole("button", { name: "Subscribe" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Email").fill(limited);
    await dialog.getByRole("button", { name: "Subscribe" }).click();
    const refusal = dialog.getByRole("alert").filter({ hasText: /^Too many subscription requests for this address or from your network\. Try again in (\d+ minutes|an hour)\.$/ });
    await refusal.waitFor();
    await expect(dialog.getByLabel("Email").getAttribute("aria-describedby")).resolves.toBe(await refusal.getAttribute("id"));
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "subscribe-dialog-rate-limited-phone");
    // Browsers log the refused request (HTTP 429) themselves; nothing else may be logged.
    expect(errors.filter((e) => !/status of 429/.test(e))).toEqual([]);
    await page.context().close();
    await t.app.services.db.prisma.subscriber.deleteMany({ where: { organizationId: a.orgId, email: limited } }); // not one of the admin's list below
  });

  it("works on the page's own host: subscribing at its root, confirming and managing at /subscription…", async () => {
    const { page, errors } = await openPage(browser);
    const host = `http://${a.slug}.localhost:${new URL(t.url).port}`;
    await page.goto(`${host}/`);
    await page.getByRole("button", { name: "Subscribe" }).click();
    const dialog = page.getByRole("dialog");
    const hosted = `${unique("hosted")}@example.com`;
    await dialog.getByLabel("Email").fill(hosted);
    await dialog.getByRole("button", { name: "Subscribe" }).click();
    await dialog.getByText("Check your inbox to confirm.").waitFor();
    await until(() => mailbox.to(hosted).length === 1);
    const { search: query } = new URL(confirmLink(mailbox.to(hosted)[0]!));
    await page.goto(`${host}/subscription/confirm${query}`);
    await page.getByTestId("confirmed").filter({ hasText: "all services" }).waitFor();
    // Its links stay on the host, whose root is the page.
    await expect(page.getByRole("link", { name: /status$/ }).getAttribute("href")).resolves.toBe("/");
    await page.getByRole("link", { name: "Change the services or unsubscribe" }).click();
    await page.waitForURL(`${host}/subscription?token=**`);
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await page.getByTestId("unsubscribed").waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows a member no Subscribers page", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.memberEmail);
    await expect(page.getByRole("link", { name: "Subscribers" }).count()).resolves.toBe(0);
    await page.goto(`${t.url}/org/${a.slug}/subscribers`);
    await page.getByTestId("admins-only").filter({ hasText: "Admins only" }).waitFor();
    await expect(page.getByTestId("subscriber").count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows an admin the subscribers (the visitor of the first test, confirmed; one pending; fifty stopped) in pages of 50, exports the CSV and removes them, down to the empty page", async () => {
    const pending = `${unique("pending")}@example.com`;
    ok(await t.gql(`mutation($input: SubscribeInput!) { subscribeToStatusPage(input: $input) }`, { input: { slug: a.slug, email: pending, serviceIds: [checkout, search] } }, { endpoint: "/graphql/public" }));
    // Fifty more, whose mails kept failing: 52 in all, two pages of 50.
    const prisma = t.app.services.db.prisma;
    await prisma.subscriber.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ organizationId: a.orgId, email: `bulk-${i}@example.com`, confirmedAt: new Date(), enabled: false, disabledReason: "Mails to this address kept failing." })),
    });
    const { page, errors } = await openPage(browser);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, a.adminEmail);
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Subscribers" }).click();
    await page.waitForURL(`**/org/${a.slug}/subscribers`);
    await page.getByTestId("subscriber-count").filter({ hasText: "52 subscribers" }).waitFor();
    await expect(page.getByTestId("subscriber").count()).resolves.toBe(50);
    // At least 48 of them are on this page, whatever the order: each says it stopped, and why.
    await expect(page.getByTestId("subscriber").filter({ hasText: "bulk-" }).first().textContent()).resolves.toMatch(/Stopped.*kept failing/);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Previous" }).waitFor();
    await expect.poll(() => page.getByTestId("subscriber").count()).toBe(2);
    expect(await page.getByRole("button", { name: "Next" }).count()).toBe(0);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(() => page.getByTestId("subscriber").count()).toBe(50);
    await prisma.subscriber.deleteMany({ where: { organizationId: a.orgId, email: { startsWith: "bulk-" } } });
    await page.reload();
    const row = page.getByTestId("subscriber").filter({ hasText: visitor });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/All services.*Confirmed/);
    await expect(page.getByTestId("subscriber").filter({ hasText: pending }).textContent()).resolves.toMatch(/Checkout, Search.*Pending/);
    await page.getByTestId("subscriber-count").filter({ hasText: "2 subscribers" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-subscribers");
    await page.setViewportSize({ width: 390, height: 900 });
    // The table scrolls in its box; the page itself never scrolls sideways.
    await expect(page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).resolves.toBe(true);
    await screenshot(page, "dashboard-subscribers-phone");
    await page.setViewportSize({ width: 1200, height: 900 });

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`${a.slug}-subscribers.csv`);
    expect(readFileSync(await file.path(), "utf8")).toContain(visitor);

    await row.getByRole("button", { name: `Remove ${visitor}` }).click();
    await page.getByTestId("subscriber-count").filter({ hasText: "1 subscriber" }).waitFor();
    await page.getByRole("button", { name: `Remove ${pending}` }).click();
    await page.getByTestId("subscribers-empty").waitFor();
    await page.getByTestId("subscribers-empty").getByRole("link", { name: "public status page" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-subscribers-empty");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
