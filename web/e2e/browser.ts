// The browser kit for end-to-end tests: Debian's Chromium driven by playwright-core (never
// `playwright install`), the built web app served by the real API, and screenshots.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = join(import.meta.dirname, "screenshots");

// web/dist is built once per run, before any suite starts (scripts/test-global-setup.ts).

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A page that fails the test on any console error or uncaught exception. */
export async function openPage(
  browser: Browser,
  options: { width?: number; timezoneId?: string; locale?: string; hasTouch?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const { width, ...rest } = options;
  const context = await browser.newContext({ viewport: { width: width ?? 1200, height: 900 }, ...rest });
  context.setDefaultTimeout(8_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    // A refused WebSocket while the server is down is the browser's own log line, not ours.
    if (message.type() === "error" && !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(message.text())) errors.push(`${message.text()} at ${JSON.stringify(message.location())}`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in on the app's login page and waits for the dashboard of `slug` (where a sign-in lands). */
export async function signIn(page: Page, to: { url: string; email: string; password: string; slug: string }): Promise<void> {
  await page.goto(`${to.url}/login`);
  await page.getByLabel("Email").fill(to.email);
  await page.getByLabel("Password").fill(to.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**/org/${to.slug}/services`);
}
