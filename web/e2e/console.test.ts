// The GraphQL console in Chromium (issue 11, point 1): the dashboard's GraphiQL runs as the
// signed-in demo admin, receives a subscription event caused elsewhere, runs as a pasted API
// token; /graphql and /graphql/public opened in a browser render the same bundled console.
// Every request the browser makes is routed: one to a host other than this machine fails.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ok, startTestApp, type TestApp } from "../../api/test/harness.ts";
import { hasChromium, launch, openPage, screenshot, signIn as signInAs } from "./browser.ts";

if (!hasChromium) console.warn("Skipping browser tests: /usr/bin/chromium is missing (apt-get install -y chromium; .ci/run installs it).");

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const ADMIN = "admin@dance.example";
/** What the console's lazy chunks are called in web/dist/assets. */
const CONSOLE_ASSET = /GraphqlConsole|ConsolePage|monaco|\.worker|codicon/;
const DEMO_PASSWORD = "demo-password";

/** Routes every request of the context; anything not for this machine is aborted and recorded. */
async function stayOnThisMachine(context: BrowserContext): Promise<string[]> {
  const outside: string[] = [];
  const local = (url: string) => {
    const { protocol, hostname } = new URL(url);
    return protocol === "data:" || protocol === "blob:" || hostname === "localhost" || hostname === "127.0.0.1" || hostname.endsWith(".localhost");
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    outside.push(url);
    return route.abort("blockedbyclient");
  });
  // Requests a route may not see (workers' imports) and WebSockets are checked as they happen.
  context.on("request", (request) => void (local(request.url()) || outside.push(request.url())));
  context.on("page", (page) => page.on("websocket", (socket) => void (local(socket.url()) || outside.push(socket.url()))));
  return outside;
}

describe.skipIf(!hasChromium)("the GraphQL console in Chromium", () => {
  let t: TestApp;
  let browser: Browser;
  let adminToken: string;
  let dance: { id: string; services: { id: string; name: string }[] };

  beforeAll(async () => {
    t = await startTestApp({ demo: true });
    browser = await launch();
    const logIn = ok(await t.gql<{ logIn: { token: string } }>(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: ADMIN, password: DEMO_PASSWORD } }));
    adminToken = logIn.logIn.token;
    dance = ok(await t.gql<{ organization: typeof dance }>(`{ organization(slug: "dance") { id services { id name } } }`, {}, { token: adminToken })).organization;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function openOffline(): Promise<{ page: Page; errors: string[]; outside: string[] }> {
    const { page, errors } = await openPage(browser, { width: 1400 });
    const outside = await stayOnThisMachine(page.context());
    page.on("websocket", (socket) => void (new URL(socket.url()).hostname === "localhost" || outside.push(socket.url())));
    return { page, errors, outside };
  }

  const signIn = (page: Page) => signInAs(page, { url: t.url, email: ADMIN, password: DEMO_PASSWORD, slug: "dance" });

  /** GraphiQL rendered, with the schema loaded (the docs explorer can open). */
  async function consoleReady(page: Page) {
    await page.locator(".graphiql-container").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: /^Execute query/ }).waitFor({ timeout: 30_000 });
  }

  /** Replaces the operation in the active tab (Monaco) and runs it. */
  async function run(page: Page, operation?: string) {
    // GraphiQL ignores a run until its editors exist, which lags the button on a loaded machine.
    await page.locator(".graphiql-query-editor .monaco-editor .view-lines").first().waitFor({ timeout: 30_000 });
    await page.locator(".graphiql-response .monaco-editor").first().waitFor({ timeout: 30_000 });
    if (operation !== undefined) {
      await page.locator(".graphiql-query-editor .monaco-editor").first().click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.press("Delete");
      // Run at once, as a person pressing Ctrl-Enter does: GraphiQL's own reading of the
      // operation lags 100 ms behind the editor, the console's fetcher reads the text itself.
      await page.keyboard.insertText(operation);
    }
    await page.getByRole("button", { name: /^Execute query/ }).click();
  }

  const response = (page: Page) => page.locator(".graphiql-response");

  /**
   * Waits for the response pane to show every one of `texts`. Generous: Monaco and the server
   * share two cores with other suites. A failure says what the pane showed instead.
   */
  async function expectResponse(page: Page, ...texts: string[]) {
    let pane = response(page);
    for (const text of texts) pane = pane.filter({ hasText: text });
    try {
      await pane.waitFor({ timeout: 30_000 });
    } catch (error) {
      const shown = await response(page).innerText().catch(() => "(no response pane)");
      throw new Error(`the response pane never showed ${JSON.stringify(texts)}; it shows: ${shown}`, { cause: error });
    }
  }

  /** axe-core's violations (WCAG A/AA) in the product's own parts of the console page. */
  async function accessibilityViolations(page: Page): Promise<string[]> {
    // Evaluated through the debugging protocol: the page's CSP (script-src 'self') stays on.
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(AXE, "utf8"));
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
      // GraphiQL's own editor markup is the package's: checked upstream, not fixable here.
      const result = await axe.run({ exclude: [[".graphiql-container"]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
      return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
  }

  it("keeps the console out of the public page's and the dashboard's downloads", async () => {
    const { page, errors, outside } = await openOffline();
    const assets: string[] = [];
    page.on("request", (request) => void (request.url().includes("/assets/") && assets.push(new URL(request.url()).pathname)));
    await page.goto(`${t.url}/status/dance`);
    await page.getByTestId("page-status").waitFor();
    await signIn(page);
    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByRole("heading", { name: "Active" }).waitFor();
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((path) => CONSOLE_ASSET.test(path))).toEqual([]);
    // Opening the console is what downloads it.
    await page.getByRole("link", { name: "Console" }).click();
    await consoleReady(page);
    expect(assets.filter((path) => CONSOLE_ASSET.test(path)).length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("runs in the dashboard as the signed-in admin, with the docs explorer, and a subscription receives an event", async () => {
    const { page, errors, outside } = await openOffline();
    const frames: string[] = [];
    const started = Date.now();
    page.on("websocket", (socket) => {
      frames.push(`${Date.now() - started} ms open ${socket.url()}`);
      socket.on("framesent", (f) => frames.push(`${Date.now() - started} ms > ${String(f.payload)}`));
      socket.on("framereceived", (f) => frames.push(`${Date.now() - started} ms < ${String(f.payload).slice(0, 120)}`));
      socket.on("close", () => frames.push(`${Date.now() - started} ms closed ${socket.url()}`));
    });
    await signIn(page);
    await page.getByRole("link", { name: "Console" }).click();
    await consoleReady(page);
    await page.getByTestId("console-identity").filter({ hasText: `Runs as ${ADMIN}` }).waitFor();

    await run(page, "{ viewer { email } }");
    await expectResponse(page, `"email": "${ADMIN}"`);
    await screenshot(page, "console-dashboard-viewer");
    expect(await accessibilityViolations(page)).toEqual([]);

    // The docs explorer reads the schema by introspection (within the query limits).
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await page.locator(".graphiql-doc-explorer").getByText("Root Types").waitFor();
    await page.locator(".graphiql-doc-explorer").getByRole("link", { name: "Subscription", exact: true }).waitFor();

    // The third example tab watches the organisation, its id already in the variables.
    await page.locator(".graphiql-tab").filter({ hasText: "OrganizationEvents" }).click();
    await page.locator(".graphiql-query-editor").getByText("subscription OrganizationEvents").waitFor();
    await page.locator(".graphiql-editor-tool").getByText(dance.id).first().waitFor();
    await run(page);
    await page.getByRole("button", { name: /^Stop query/ }).waitFor();
    // Over graphql-ws on /graphql (never a POST, which Yoga answers 406 for a subscription); the
    // dashboard's own live stream subscribes too, without occurredAt.
    await expect.poll(() => frames.some((f) => f.includes('"type":"subscribe"') && f.includes("occurredAt")), { timeout: 30_000 }).toBe(true);
    // A change made elsewhere (the API, as the admin) arrives over the console's WebSocket. The
    // subscription is registered on the server a moment after the socket opens: change the
    // status again until the event shows, rather than guessing how long that takes.
    const service = dance.services[0]!;
    const statuses = ["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE"];
    for (let attempt = 0; ; attempt++) {
      frames.push(`${Date.now() - started} ms mutation ${attempt}`);
      ok(await t.gql(`mutation($id: ID!, $s: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $s }) { id } }`, { id: service.id, s: statuses[attempt % 2] }, { token: adminToken }));
      const arrived = await response(page)
        .filter({ hasText: "SERVICE_STATUS_CHANGED" })
        .waitFor({ timeout: 2_000 })
        .then(() => true, () => false);
      if (arrived) break;
      if (attempt >= 20) {
        await screenshot(page, "console-subscription-failed");
        throw new Error(`no event reached the console's subscription; the response pane shows: ${await response(page).innerText()}\n${frames.join("\n")}`);
      }
    }
    await expectResponse(page, "SERVICE_STATUS_CHANGED", service.name);
    await screenshot(page, "console-dashboard-subscription");
    await page.getByRole("button", { name: /^Stop query/ }).click();
    ok(await t.gql(`mutation($id: ID!) { setServiceStatus(input: { id: $id, status: OPERATIONAL }) { id } }`, { id: service.id }, { token: adminToken }));

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("runs as a pasted API token instead of the session", async () => {
    const created = ok(
      await t.gql<{ createApiToken: { token: string } }>(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { organizationId: dance.id, name: "console e2e", role: "MEMBER" } }, { token: adminToken }),
    ).createApiToken.token;
    const { page, errors, outside } = await openOffline();
    await signIn(page);
    await page.goto(`${t.url}/org/dance/console`);
    await consoleReady(page);
    await page.getByLabel("API token").fill(created);
    await page.getByTestId("console-identity").filter({ hasText: "Runs as the pasted API token" }).waitFor();
    // An API token has no viewer, but reads its organisation.
    await run(page, `{ viewer { email } organization(slug: "dance") { id } }`);
    await expectResponse(page, '"viewer": null', dance.id);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("serves the same console on /graphql in a browser, as the signed-in admin, with nothing from outside", async () => {
    const { page, errors, outside } = await openOffline();
    const html = await (await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } })).text();
    expect(html).not.toMatch(/unpkg|jsdelivr|https?:\/\//);
    await signIn(page);
    await page.goto(`${t.url}/graphql`);
    await consoleReady(page);
    await page.getByText(`Signed in as ${ADMIN} · examples for Dance`).waitFor();
    await page.getByTestId("console-identity").filter({ hasText: `Runs as ${ADMIN}` }).waitFor();
    // The first example tab asks who runs it.
    await run(page);
    await expectResponse(page, `"email": "${ADMIN}"`);
    await screenshot(page, "console-graphql-page");
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("serves the public console on /graphql/public, anonymous, with nothing from outside", async () => {
    const { page, errors, outside } = await openOffline();
    await page.goto(`${t.url}/graphql/public?slug=dance`);
    await consoleReady(page);
    await page.getByTestId("console-identity").filter({ hasText: "Anonymous" }).waitFor();
    await run(page);
    await expectResponse(page, '"name": "Dance"');
    await screenshot(page, "console-public-page");
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
