// S6 page convergence: N live viewers subscribed the way the web app's public page is
// (web/src/page-queries.ts: STATUS_PAGE_EVENTS over graphql-ws), each refetching the page
// on an event with the very request the web app's urql client makes (captured from
// web/src/client.ts's publicClient, so it follows when the web app moves to another method or
// persisted documents). One change; time until every viewer holds a page showing it. Baseline:
// the raw server broadcasting the same event frame and then serving the new page's bytes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, demoAdmin, gql, median, progress, SET_STATUS, settle, sleep, wsUrl, type Product } from "./lib.ts";
import { startRaw } from "./raw-server.ts";
import { serverMetrics } from "./s4-writes.ts";
import { PAGE_QUERY } from "./public-reads.ts";
import { Subscribers } from "./subscribers.ts";

const WEB = join(import.meta.dirname, "..", "web", "src");

export interface PageRequest {
  method: string;
  /** Path and query, relative to the server. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
  /** Where it came from: "web/src/client.ts" or a fallback. */
  source: string;
}

/**
 * The request the web app's public client sends for the StatusPage query. Loaded by path at run
 * time (the web sources are type-checked by web/tsconfig.json, against the DOM): urql is handed a
 * fetch that records instead of sending.
 */
export async function webPageRequest(slug: string): Promise<PageRequest> {
  const clientModule = join(WEB, "client.ts");
  const documents = join(WEB, "gql", "graphql.ts");
  try {
    const { publicClient } = (await import(clientModule)) as {
      publicClient: { query(document: unknown, variables: unknown, context: unknown): { toPromise(): Promise<unknown> } };
    };
    const { StatusPageDocument } = (await import(documents)) as { StatusPageDocument: unknown };
    let captured: PageRequest | null = null;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      captured = { method: init?.method ?? "GET", path: typeof input === "string" ? input : input instanceof URL ? input.href : input.url, headers, body: typeof init?.body === "string" ? init.body : null, source: "web/src/client.ts (urql publicClient)" };
      return Promise.resolve(new Response('{"data":null}', { headers: { "content-type": "application/json" } }));
    };
    try {
      await publicClient.query(StatusPageDocument, { slug }, { requestPolicy: "network-only" }).toPromise();
    } finally {
      globalThis.fetch = realFetch;
    }
    if (captured) return captured;
  } catch (error) {
    progress(`S6: could not load the web app's client (${(error as Error).message}); using a GET of the same query`);
  }
  const query = new URLSearchParams({ query: PAGE_QUERY, operationName: "StatusPage", variables: JSON.stringify({ slug }) });
  return { method: "GET", path: `/graphql/public?${query}`, headers: { accept: "application/json" }, body: null, source: "fallback: bench/public-reads.ts PAGE_QUERY" };
}

/** The web app's page subscription, read from its source so a change there is measured here. */
export function webPageSubscription(): string {
  const source = readFileSync(join(WEB, "page-queries.ts"), "utf8");
  return /STATUS_PAGE_EVENTS = `([^`]+)`/.exec(source)?.[1] ?? `subscription StatusPageEvents($slug: String!, $after: String) { statusPageEvents(slug: $slug, after: $after) { cursor kind } }`;
}

export interface Convergence {
  /** ms from the change until the last viewer held the new page. */
  allMs: number;
  medianMs: number;
  converged: number;
  /** Refetches answered with the old page (then retried after 100 ms: the web app would not). */
  stale: number;
  /** Refetches answered with an error status (429, 503…) or failing. */
  failed: number;
  refetches: number;
  serverCpuMs: number;
}

export interface ConvergenceResult {
  viewers: number;
  request: { method: string; bytes: number; source: string };
  product: Convergence & { dbQueries: number | null };
  raw: Convergence;
  /** product ÷ raw time until all converged: the target is ≤ 2. */
  ratio: number;
}

/** Browsers ask for compressed bodies; a fast path that has them must be able to serve them. */
const BROWSER_HEADERS = { "accept-encoding": "gzip, deflate, br" };

export async function convergence(product: Product, { viewers, timeoutMs }: { viewers: number; timeoutMs: number }): Promise<ConvergenceResult> {
  const slug = "dance";
  const request = await webPageRequest(slug);
  const subscription = webPageSubscription();
  const admin = await demoAdmin(product.url);
  const { organization } = await gql<{ organization: { services: { id: string; status: string }[] } }>(product.url, `{ organization(slug: "dance") { services { id status } } }`, {}, admin.token);
  const service = organization.services[0]!;
  const newStatus = service.status === "MAJOR_OUTAGE" ? "OPERATIONAL" : "MAJOR_OUTAGE";
  const shows = (page: unknown) =>
    (page as { data?: { statusPage?: { services?: { id: string; status: string }[] } } }).data?.statusPage?.services?.find((s) => s.id === service.id)?.status === newStatus;
  // The web app asks for the event's version (`v=<cursor>`, web/src/use-public-page.ts).
  const versioned = (cursor: string | null) => (cursor && request.method === "GET" ? request.path.replace("?", `?v=${cursor}&`) : request.path);
  const get = (base: string, cursor: string | null = null) => fetch(base + versioned(cursor), { method: request.method, headers: { ...request.headers, ...BROWSER_HEADERS }, ...(request.body ? { body: request.body } : {}) });
  const pageBytes = async () => {
    const response = await get(product.url);
    if (!response.ok) throw new Error(`S6: the page request answered ${response.status}`);
    return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get("content-type") ?? "application/json" };
  };
  const oldPage = await pageBytes();

  /** Opens the viewers on `base`, makes the change, and times the refetches until all show it. */
  const run = async (base: string, pid: number, change: () => Promise<void>, label: string, beforeChange?: () => Promise<void>): Promise<Convergence> => {
    const live = new Subscribers(`${wsUrl(base)}/graphql/public`);
    try {
      progress(`S6 ${label}: opening ${viewers} live viewers`);
      await live.add(viewers, () => ({ query: subscription, variables: { slug, after: null } }));
      await settle(pid);
      const done = new Float64Array(viewers).fill(NaN);
      const started = new Uint8Array(viewers);
      let converged = 0;
      let stale = 0;
      let failed = 0;
      let refetches = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const deadline = performance.now() + timeoutMs;
      const refetch = async (index: number, cursor: string | null): Promise<void> => {
        while (performance.now() < deadline) {
          refetches++;
          try {
            const response = await get(base, cursor);
            if (response.ok && shows(await response.json())) {
              done[index] = performance.now();
              if (++converged === viewers) finish();
              return;
            }
            if (response.ok) stale++;
            else failed++;
          } catch {
            failed++;
          }
          await sleep(100);
        }
      };
      // The web app refetches on every event (debounced 150 ms, left out on both sides here).
      live.onData = (index, message) => {
        if (started[index]) return;
        started[index] = 1;
        const event = (JSON.parse(message.toString()) as { payload?: { data?: { statusPageEvents?: { cursor?: string } } } }).payload?.data?.statusPageEvents;
        void refetch(index, event?.cursor ?? null);
      };
      await beforeChange?.();
      const cpuBefore = cpuMs(pid);
      const t0 = performance.now();
      await change();
      await Promise.race([finished, sleep(timeoutMs)]);
      const times = [...done].filter((t) => !Number.isNaN(t)).map((t) => t - t0);
      const result = {
        allMs: converged === viewers ? Math.max(...times) : NaN,
        medianMs: median(times),
        converged,
        stale,
        failed,
        refetches,
        serverCpuMs: cpuMs(pid) - cpuBefore,
      };
      progress(`S6 ${label}: ${converged}/${viewers} viewers hold the new page after ${result.allMs.toFixed(0)} ms (${stale} stale, ${failed} failed refetches)`);
      return result;
    } finally {
      await live.close();
    }
  };

  // The product: one status change through the admin API.
  let payload: string | null = null;
  // Read in a callback, so held in an object: TypeScript would narrow a plain `let` to null.
  const metrics: { before: Awaited<ReturnType<typeof serverMetrics>> } = { before: null };
  const productSide = await run(
    product.url,
    product.child.pid!,
    async () => {
      await gql(product.url, SET_STATUS, { id: service.id, s: newStatus }, admin.token);
    },
    "product",
    async () => {
      metrics.before = await serverMetrics(product.url);
    },
  );
  const metricsAfter = await serverMetrics(product.url);
  const newPage = await pageBytes();
  // The event frame the viewers got, for the raw server to send: the same bytes.
  {
    const probe = new Subscribers(`${wsUrl(product.url)}/graphql/public`);
    await probe.add(1, () => ({ query: subscription, variables: { slug, after: null } }));
    probe.onData = (_index, message) => void (payload ??= JSON.stringify((JSON.parse(message.toString()) as { payload: unknown }).payload));
    await settle(product.child.pid!);
    await gql(product.url, SET_STATUS, { id: service.id, s: service.status }, admin.token);
    for (let i = 0; i < 100 && !payload; i++) await sleep(20);
    await probe.close();
  }
  if (!payload) throw new Error("S6: no event reached the viewers");
  const frame: string = payload;

  const raw = await startRaw();
  let rawSide: Convergence;
  try {
    await raw.page(oldPage.body, oldPage.contentType);
    rawSide = await run(raw.url, raw.pid, () => raw.broadcast(frame, newPage), "raw ws + http");
  } finally {
    await raw.stop();
  }
  return {
    viewers,
    request: { method: request.method, bytes: newPage.body.length, source: request.source },
    product: { ...productSide, dbQueries: metrics.before && metricsAfter ? metricsAfter.dbQueries - metrics.before.dbQueries : null },
    raw: rawSide,
    ratio: productSide.allMs / rawSide.allMs,
  };
}
