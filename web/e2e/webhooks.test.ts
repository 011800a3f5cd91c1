// The dashboard's Webhooks page in Chromium: an admin adds a webhook (the secret shown once,
// copied), sees the deliveries of a change arrive at a local receiver, sends a test, redelivers,
// turns it off and on, deletes it; a member has no such page. Checked with axe-core.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, PASSWORD, type Tenant } from "../../api/test/fixtures.ts";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { waitUntil } from "../../api/test/cluster-kit.ts";
import { hasChromium, launch, openPage, screenshot, signIn as signInAs } from "./browser.ts";

/** Waits for a condition the test can see without a query (what the receiver got). */
const until = (check: () => boolean, timeoutMs?: number) => waitUntil(() => Promise.resolve(check()), timeoutMs);

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

describe.skipIf(!hasChromium)("the Webhooks page in Chromium", () => {
  let t: TestApp;
  let a: Tenant;
  let browser: Browser;
  let receiver: Server;
  let hookUrl = "";
  const received: { event: string; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ event: String(req.headers["x-statuspage-event"]), body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await startTestApp({ allowPrivateWebhooks: true, webhooks: { pollIntervalMs: 200 } });
    a = await createTenant(t);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const signIn = (page: Page, email: string) => signInAs(page, { url: t.url, email, password: PASSWORD, slug: a.slug });

  async function axeViolations(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses an injected tag.
    await page.evaluate(readFileSync(AXE, "utf8"));
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
      const { violations } = await axe.run();
      return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
  }

  it("an admin adds a webhook, sees its deliveries, tests, redelivers, turns it off and on, and deletes it", async () => {
    const { page, errors } = await openPage(browser);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.url });
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, a.adminEmail);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.waitForURL(`**/org/${a.slug}/webhooks`);
    await page.getByText("No webhooks yet.").waitFor();

    await page.getByLabel("URL").fill(hookUrl);
    await page.getByLabel("Format").selectOption("JSON");
    await page.getByLabel("Service status changed").check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = await page.getByTestId("new-webhook-secret").textContent();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
    const card = page.getByRole("article", { name: `Webhook ${hookUrl}` });
    await card.waitFor();

    // A change made elsewhere is delivered, and the attempt shows up in the list.
    ok(await t.gql(`mutation($id: ID!) { setServiceStatus(input: { id: $id, status: PARTIAL_OUTAGE }) { id } }`, { id: a.serviceId }, { token: a.admin }));
    await until(() => received.some((r) => r.event === "SERVICE_STATUS_CHANGED"), 10_000);
    await card.getByTestId("delivery").first().waitFor({ timeout: 10_000 });
    await expect(card.getByTestId("delivery").first().textContent()).resolves.toContain("204");
    await screenshot(page, "webhooks-delivered");

    await card.getByRole("button", { name: "Send test" }).click();
    await card.getByText("Test delivered: HTTP 204").waitFor();
    expect(received.filter((r) => r.event === "TEST")).toHaveLength(1);

    const before = received.length;
    await card.getByRole("button", { name: "Redeliver" }).first().click();
    await until(() => received.length === before + 1, 5_000);

    await card.getByRole("button", { name: "Turn off" }).click();
    await card.getByText("Off", { exact: true }).waitFor();
    await card.getByRole("button", { name: "Turn on" }).click();
    await card.getByText("On", { exact: true }).waitFor();

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "webhooks-page");
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, "webhooks-page-narrow");
    await page.setViewportSize({ width: 1200, height: 900 });

    await card.getByRole("button", { name: "Delete" }).click();
    await page.getByText("No webhooks yet.").waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a member sees no Webhooks page", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, a.memberEmail);
    await expect(page.getByRole("link", { name: "Webhooks" }).count()).resolves.toBe(0);
    await page.goto(`${t.url}/org/${a.slug}/webhooks`);
    await expect(page.getByRole("button", { name: "Add webhook" }).count()).resolves.toBe(0);
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
