// Issue 9 (5 and 7): the anonymous surface of /graphql is throttled like the public one,
// connections per address are capped, bodies are capped, query cost counts list sizes, load is
// shed while the event loop lags, and every answer carries the security headers with closed
// CORS on /graphql (docs/adr/0009-http-hardening.md). The socket-flood fault test is at the end.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kind, parse, print, validate, type DocumentNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { buildSchemas } from "../src/graphql/schema.ts";
import { ASSUMED_LIST_SIZE, MAX_QUERY_COST, queryCost } from "../src/graphql/cost.ts";
import { monitorLag } from "../src/lib/http-guards.ts";
import { signUp } from "./fixtures.ts";
import { codeOf, ok, startTestApp, type TestApp } from "./harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const portOf = (t: TestApp) => Number(new URL(t.url).port);
const PAGE = `query($slug: String!) { statusPage(slug: $slug) { organization { slug } } }`;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first HTTP answer in `text` (enough for these small JSON answers). */
function parseAnswer(text: string): RawAnswer | null {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: text.slice(end + 4) };
}

/** A raw TCP connection that collects whatever the server sends. */
function rawConnection(port: number, host = "127.0.0.1", localAddress?: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, localAddress });
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.on("error", () => {});
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

/** Opens a WebSocket: 101 when accepted, else the status of the refusal. */
function openWebSocket(url: string, options: { localAddress?: string } = {}): Promise<{ status: number; retryAfter?: string; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "graphql-transport-ws", options);
    ws.on("open", () => resolve({ status: 101, ws }));
    ws.on("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] });
      res.resume();
      ws.terminate();
    });
    ws.on("error", () => resolve({ status: 0 }));
  });
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...headers }, body: JSON.stringify(body) });
}

describe("anonymous work on /graphql takes from the per-IP public budget", () => {
  let t: TestApp;
  let page: { token: string; slug: string };
  beforeAll(async () => {
    t = await startTestApp({ publicRateLimit: 10 });
    page = await signUp(t);
    await sleep(1_100); // a fresh second of budget
  });
  afterAll(() => t?.stop());

  it("refuses parallel anonymous statusPage queries past the budget with 429 RATE_LIMITED and Retry-After", async () => {
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 60 }, () => post(`${t.url}/graphql`, { query: PAGE, variables: { slug: page.slug } })));
    const refused = answers.filter((a) => a.status === 429);
    // Before: all 60 succeeded (the budget applied only on /graphql/public). Now at most the budget
    // of each one-second window the burst spanned gets through (a loaded machine spans several).
    const windows = Math.ceil((performance.now() - started) / 1000) + 1;
    expect(answers.length - refused.length).toBeLessThanOrEqual(10 * windows);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.headers.get("x-content-type-options")).toBe("nosniff");
    expect(((await refused[0]!.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("RATE_LIMITED");
    console.info(`anonymous /graphql: ${refused.length} of 60 parallel requests refused (budget 10/s)`);
  });

  it("shares the budget with /graphql/public, charges a token that does not verify, and leaves signed-in requests alone", async () => {
    await sleep(1_100);
    const publicAnswers = await Promise.all(Array.from({ length: 10 }, () => post(`${t.url}/graphql/public`, { query: PAGE, variables: { slug: page.slug } })));
    expect(publicAnswers.every((a) => a.status === 200)).toBe(true);
    // The budget is spent on /graphql/public: /graphql anonymous is refused at once.
    expect((await post(`${t.url}/graphql`, { query: PAGE, variables: { slug: page.slug } })).status).toBe(429);
    // A bogus token is anonymous work, refused as such.
    const bogus = await post(`${t.url}/graphql`, { query: `{ viewer { id } }` }, { authorization: "Bearer not-a-token" });
    expect(bogus.status).toBe(429);
    // Signed in: not throttled per request.
    const signedIn = await Promise.all(Array.from({ length: 40 }, () => t.gql(`{ viewer { id } }`, {}, { token: page.token })));
    expect(signedIn.every((r) => r.status === 200 && !r.errors)).toBe(true);
  });

  it("throttles WebSocket upgrades on /graphql too (before the handshake)", async () => {
    await sleep(1_100);
    const ws = t.url.replace(/^http/, "ws");
    const opened = await Promise.all(Array.from({ length: 30 }, (_, i) => openWebSocket(`${ws}${i % 2 ? "/graphql" : "/graphql/public"}`)));
    for (const o of opened) o.ws?.close();
    const refused = opened.filter((o) => o.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    expect(opened.filter((o) => o.status === 429 && o.retryAfter).length).toBe(refused.length);
  });

  it("charges each operation started on an open socket, and closes a socket past the budget with 1013", async () => {
    await sleep(1_100);
    const { ws } = await openWebSocket(`${t.url.replace(/^http/, "ws")}/graphql/public`);
    const closed = new Promise<number>((resolve) => ws!.on("close", (code) => resolve(code)));
    ws!.send(JSON.stringify({ type: "connection_init" }));
    await sleep(50);
    for (let i = 0; i < 30; i++) ws!.send(JSON.stringify({ id: String(i), type: "subscribe", payload: { query: PAGE, variables: { slug: page.slug } } }));
    expect(await Promise.race([closed, sleep(3_000).then(() => 0)])).toBe(1013);
  });
});

describe("concurrent connections per address", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ maxConnectionsPerIp: 20 });
  });
  afterAll(() => t?.stop());

  it("answers a connection over the cap with 429 and closes it; a WebSocket upgrade over it gets 429 before the handshake", async () => {
    const held = await Promise.all(Array.from({ length: 20 }, () => rawConnection(portOf(t))));
    await sleep(50);
    const extra = await rawConnection(portOf(t));
    await Promise.race([extra.closed, sleep(2_000)]);
    const answer = parseAnswer(extra.received());
    expect(answer?.status).toBe(429);
    expect(answer?.headers["retry-after"]).toBe("1");
    expect(JSON.parse(answer!.body)).toMatchObject({ errors: [{ extensions: { code: "RATE_LIMITED" } }] });
    expect(answer?.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer?.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect((await openWebSocket(`${t.url.replace(/^http/, "ws")}/graphql`)).status).toBe(429);
    // The held connections still work (keep-alive: a request on one of them is answered).
    held[0]!.socket.write(`GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await sleep(100);
    expect(parseAnswer(held[0]!.received())?.status).toBe(200);
    // Closing some frees room.
    for (const h of held.slice(0, 5)) h.socket.destroy();
    await sleep(100);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    for (const h of held) h.socket.destroy();
  });
});

describe("body caps", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  const big = (bytes: number) => JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(bytes) } });

  it("answers 413 REQUEST_ENTITY_TOO_LARGE over 1 MB on /graphql and 64 KB on /graphql/public, and serves bodies under them", async () => {
    for (const [path, limit] of [["/graphql", 1024 * 1024], ["/graphql/public", 64 * 1024]] as const) {
      const over = await fetch(t.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: big(limit) });
      expect(over.status).toBe(413);
      expect(((await over.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("REQUEST_ENTITY_TOO_LARGE");
      const under = await fetch(t.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: big(limit - 1024) });
      expect(under.status).toBe(200);
    }
    const other = await fetch(`${t.url}/no/such/path`, { method: "POST", body: "x".repeat(32 * 1024) });
    expect(other.status).toBe(413);
  });

  it("stops reading a chunked body at the cap", async () => {
    const connection = await rawConnection(portOf(t));
    connection.socket.write(`POST /graphql/public HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = "x".repeat(16 * 1024);
    let sent = 0;
    while (!connection.received() && sent < 11 * 1024 * 1024 && !connection.socket.destroyed) {
      connection.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      sent += chunk.length;
      await sleep(2);
    }
    await Promise.race([connection.closed, sleep(1_000)]);
    const answer = parseAnswer(connection.received());
    expect(answer?.status).toBe(413);
    expect(JSON.parse(answer!.body)).toMatchObject({ errors: [{ extensions: { code: "REQUEST_ENTITY_TOO_LARGE" } }] });
    expect(sent).toBeLessThan(1024 * 1024); // refused after ~64 KB, not after 11 MB
    connection.socket.destroy();
  });

  it("keeps memory flat under 40 parallel 11 MB bodies", async () => {
    const before = process.memoryUsage().rss;
    const body = Buffer.alloc(11 * 1024 * 1024, "x");
    const answers = await Promise.all(
      Array.from(
        { length: 40 },
        () =>
          new Promise<number>((resolve) => {
            const req = httpRequest(`${t.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            });
            req.on("error", () => resolve(-1));
            req.end(body); // declared Content-Length: refused before a byte is read
          }),
      ),
    );
    const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
    console.info(`40 × 11 MB bodies: statuses ${[...new Set(answers)].join(",")}, rss grew ${grown.toFixed(0)} MB (the client's buffers included)`);
    expect(answers.every((s) => s === 413 || s === -1)).toBe(true);
    expect(answers.filter((s) => s === 413).length).toBeGreaterThan(0);
  });

  it("closes a WebSocket whose message exceeds the cap (1009)", async () => {
    const { ws } = await openWebSocket(`${t.url.replace(/^http/, "ws")}/graphql/public`);
    const code = await new Promise<number>((resolve) => {
      ws!.on("close", (c) => resolve(c));
      ws!.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(70 * 1024) } }));
    });
    expect(code).toBe(1009);
  });
});

describe("query cost counts list sizes", () => {
  const { admin } = buildSchemas();
  const aliases = (n: number, days: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: statusPage(slug: "x") { services { uptime(days: ${days}) { date } } }`).join(" ")} }`;

  it("charges uptime by its days and lists by their size", () => {
    expect(queryCost(admin, parse(`{ statusPage(slug: "x") { services { uptime(days: 90) { date } } } }`))).toBe(1 + ASSUMED_LIST_SIZE * (1 + 90));
    expect(queryCost(admin, parse(`{ statusPage(slug: "x") { services { uptime(days: 1) { date } } } }`))).toBe(1 + ASSUMED_LIST_SIZE * 2);
    expect(queryCost(admin, parse(`query($n: Int) { organization(slug: "x") { auditLog(first: $n) { nodes { id } } } }`), null, { n: 200 })).toBe(1 + 1 + 200);
    expect(queryCost(admin, parse(`{ organization(slug: "x") { incidents(first: 50) { nodes { updates { id } } } } }`))).toBe(1 + 1 + 50 * (1 + ASSUMED_LIST_SIZE));
  });

  it("keeps every document the web app sends well under the limit", async () => {
    const generated = (await import("../../web/src/gql/graphql.ts")) as Record<string, unknown>;
    const documents: [string, DocumentNode][] = Object.entries(generated).filter((e): e is [string, DocumentNode] => e[0].endsWith("Document") && (e[1] as { kind?: string } | null)?.kind === Kind.DOCUMENT);
    // Subscriptions are plain strings in the sources.
    for (const file of ["routes/StatusPage.tsx", "dashboard/Dashboard.tsx"]) {
      const source = readFileSync(join(import.meta.dirname, "../../web/src", file), "utf8");
      for (const match of source.matchAll(/`(subscription [^`]+)`/g)) documents.push([`${file}: ${match[1]!.slice(0, 40)}`, parse(match[1]!)]);
    }
    expect(documents.length).toBeGreaterThan(20);
    const costs = documents.map(([name, document]) => {
      expect(validate(admin, document), name).toEqual([]);
      return [name, queryCost(admin, document)] as const;
    });
    const heaviest = costs.reduce((a, b) => (b[1] > a[1] ? b : a));
    console.info(`web documents: ${costs.length}, heaviest ${heaviest[0]} costs ${heaviest[1]} of ${MAX_QUERY_COST}`);
    for (const [name, cost] of costs) expect(cost, name).toBeLessThan(MAX_QUERY_COST / 3);
  });

  describe("over HTTP", () => {
    let t: TestApp;
    let slug: string;
    beforeAll(async () => {
      t = await startTestApp();
      slug = (await signUp(t)).slug;
    });
    afterAll(() => t?.stop());

    it("refuses uptime asked for many services with QUERY_TOO_COMPLEX on both endpoints", async () => {
      for (const endpoint of ["/graphql/public", "/graphql"]) {
        const refused = await t.gql(aliases(12, 90), {}, { endpoint });
        expect(codeOf(refused), endpoint).toBe("QUERY_TOO_COMPLEX");
        expect(refused.data ?? null).toBeNull();
        const nested = await t.gql(`{ statusPage(slug: "x") { services { activeIncidents { affectedServices { service { uptime { date } } } } } } }`, {}, { endpoint });
        expect(codeOf(nested), endpoint).toBe("QUERY_TOO_COMPLEX");
        // The same shape over a few days passes: it is the size that counts, not the shape.
        expect(codeOf(await t.gql(aliases(12, 2), {}, { endpoint })), endpoint).toBeUndefined();
      }
      // A variable size is charged at its value.
      const sized = await t.gql(`query($d: Int!) { a: statusPage(slug: "x") { services { uptime(days: $d) { date } } } b: statusPage(slug: "x") { services { uptime(days: $d) { date } } } }`, { d: 90 }, { endpoint: "/graphql/public" });
      expect(codeOf(sized)).toBeUndefined();
    });

    it("runs the public page's real document", async () => {
      const { StatusPageDocument } = (await import("../../web/src/gql/graphql.ts")) as unknown as { StatusPageDocument: DocumentNode };
      const data = ok(await t.gql<{ statusPage: { organization: { slug: string } } }>(print(StatusPageDocument), { slug }, { endpoint: "/graphql/public" }));
      expect(data.statusPage.organization.slug).toBe(slug);
    });

    it("refuses a too costly subscription over WebSocket", async () => {
      const { ws } = await openWebSocket(`${t.url.replace(/^http/, "ws")}/graphql/public`);
      const messages: { type: string; payload?: { errors?: { extensions?: { code?: string } }[] } }[] = [];
      ws!.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString()) as never));
      ws!.send(JSON.stringify({ type: "connection_init" }));
      await sleep(100);
      const selection = `incident { affectedServices { service { activeIncidents { affectedServices { service { uptime(days: 90) { date } } } } } } }`;
      ws!.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: `subscription { statusPageEvents(slug: "${slug}") { cursor ${selection} } }` } }));
      await sleep(300);
      ws!.close();
      // Refused before the subscription starts: one result with the error, then complete.
      expect(messages.map((m) => m.type)).toEqual(["connection_ack", "next", "complete"]);
      expect(messages[1]?.payload?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    });
  });
});

describe("load shedding", () => {
  it("measures a blocked event loop", async () => {
    const monitor = monitorLag(10);
    await sleep(50);
    const started = performance.now();
    while (performance.now() - started < 300) {
      /* block the loop */
    }
    await sleep(5);
    const lag = monitor.lag();
    monitor.stop();
    expect(lag).toBeGreaterThan(200);
  });

  it("answers 503 with Retry-After while the loop lags, and always answers /health and /ready", async () => {
    let lag = 0;
    const t = await startTestApp({ loadShedLagMs: 200, loadShedGraceMs: 0 }, { eventLoopLag: () => lag });
    try {
      lag = 500;
      for (const [path, init] of [
        ["/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `{ __typename }` }) }],
        ["/graphql/public", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `{ __typename }` }) }],
        ["/api/v2/x/summary.json", {}],
      ] as const) {
        const answer = await fetch(t.url + path, init);
        expect(answer.status, path).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("1");
        expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
        expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
        expect(((await answer.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("RATE_LIMITED");
      }
      expect((await openWebSocket(`${t.url.replace(/^http/, "ws")}/graphql/public`)).status).toBe(503);
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      expect((await fetch(`${t.url}/ready`)).status).toBe(200);
      lag = 0;
      expect((await t.gql(`{ __typename }`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  /** Five public GraphQL requests and a /health queued while the loop is blocked for 400 ms: their statuses. */
  async function blockWithBacklog(t: TestApp): Promise<{ graphql: (number | undefined)[]; health: number | undefined }> {
    const body = JSON.stringify({ query: `{ __typename }` });
    const graphql = await Promise.all(Array.from({ length: 5 }, () => rawConnection(portOf(t))));
    const health = await rawConnection(portOf(t));
    await sleep(50); // accepted by the server
    for (const c of graphql) c.socket.write(`POST /graphql/public HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    health.socket.write(`GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const started = performance.now();
    while (performance.now() - started < 400) {
      /* the server (same process) cannot run: its requests queue up */
    }
    await sleep(200);
    const statuses = { graphql: graphql.map((c) => parseAnswer(c.received())?.status), health: parseAnswer(health.received())?.status };
    for (const c of [...graphql, health]) c.socket.destroy();
    return statuses;
  }

  it("sheds the backlog that piled up while the loop was really blocked", async () => {
    const t = await startTestApp({ loadShedLagMs: 100, loadShedGraceMs: 0 });
    try {
      expect(await blockWithBacklog(t)).toEqual({ graphql: [503, 503, 503, 503, 503], health: 200 });
      // Once the loop is free again, requests are served.
      expect((await t.gql(`{ __typename }`, {}, { endpoint: "/graphql/public" })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it("sheds nothing just after listening: a stall while the first requests warm up is not load", async () => {
    const t = await startTestApp({ loadShedLagMs: 100, loadShedGraceMs: 60_000 });
    try {
      expect(await blockWithBacklog(t)).toEqual({ graphql: [200, 200, 200, 200, 200], health: 200 });
    } finally {
      await t.stop();
    }
  });
});

describe("security headers and CORS", () => {
  let t: TestApp;
  let slug: string;
  beforeAll(async () => {
    const webDist = mkdtempSync(join(tmpdir(), "statuspage-web-"));
    writeFileSync(join(webDist, "index.html"), `<!doctype html><html><head><title>Status</title><script type="module" src="/assets/app.js"></script></head><body></body></html>`);
    mkdirSync(join(webDist, "assets"));
    writeFileSync(join(webDist, "assets/app.js"), "export {};");
    t = await startTestApp({ webDist, corsOrigins: ["https://console.example"], publicRateLimit: 1_000 });
    slug = (await signUp(t)).slug;
  });
  afterAll(() => t?.stop());

  const base = (headers: Headers, what: string) => {
    expect(headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
    expect(headers.get("content-security-policy"), what).toBeTruthy();
  };
  const notFramed = (headers: Headers, what: string) => {
    expect(headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
    expect(headers.get("x-frame-options"), what).toBe("DENY");
  };

  const pageQuery = () => encodeURIComponent(`{ statusPage(slug: "${slug}") { status { indicator } } }`);
  const notModified = async (url: string) => {
    const etag = (await fetch(url)).headers.get("etag")!;
    const answer = await fetch(url, { headers: { "if-none-match": etag } });
    expect(answer.status).toBe(304);
    return answer;
  };

  it("sets nosniff, Referrer-Policy and a fitting CSP on every kind of answer", async () => {
    const json = [
      ["API JSON", await post(`${t.url}/graphql`, { query: `{ __typename }` })],
      ["public API", await post(`${t.url}/graphql/public`, { query: `{ __typename }` })],
      ["health", await fetch(`${t.url}/health`)],
      ["Statuspage JSON", await fetch(`${t.url}/api/v2/${slug}/summary.json`)],
      // The fast path writes its head whole (lib/http-guards.ts AppResponse): a miss, a hit, a 304.
      ["public GET, executed", await fetch(`${t.url}/graphql/public?query=${pageQuery()}`)],
      ["public GET, from memory", await fetch(`${t.url}/graphql/public?query=${pageQuery()}`, { headers: { "accept-encoding": "br" } })],
      ["public GET, not modified", await notModified(`${t.url}/graphql/public?query=${pageQuery()}`)],
      ["404 JSON", await fetch(`${t.url}/api/v2/no-such/summary.json`)],
      ["405", await fetch(`${t.url}/api/v2/${slug}/summary.json`, { method: "POST" })],
      ["413", await fetch(`${t.url}/graphql/public`, { method: "POST", body: "x".repeat(70 * 1024) })],
    ] as const;
    for (const [what, answer] of json) {
      base(answer.headers, what);
      notFramed(answer.headers, what);
      expect(answer.headers.get("content-security-policy"), what).toContain("default-src 'none'");
    }
    for (const [what, path] of [["login", "/login"], ["dashboard", "/org/x/services"], ["app 404", "/no/such/page"], ["asset", "/assets/app.js"]] as const) {
      const answer = await fetch(t.url + path);
      base(answer.headers, what);
      notFramed(answer.headers, what);
      expect(answer.headers.get("content-security-policy"), what).toContain("script-src 'self'");
    }
    // Built on the first request, from memory on the next ones (and 304 for a known ETag).
    for (const page of [await fetch(`${t.url}/status/${slug}`), await fetch(`${t.url}/status/${slug}`), await notModified(`${t.url}/status/${slug}`)]) {
      base(page.headers, "status page");
      expect(page.headers.get("content-security-policy")).toContain("frame-ancestors *");
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(page.headers.get("x-frame-options")).toBeNull();
    }
    const badge = await fetch(`${t.url}/status/${slug}/badge.svg`);
    base(badge.headers, "badge");
    expect(badge.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *");
    expect(badge.headers.get("x-frame-options")).toBeNull();
    // The GraphQL console is the web app's (api/test/console.test.ts): the app's policy, no CDN.
    const graphiql = await fetch(`${t.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await graphiql.text()).toContain("/assets/app.js");
    base(graphiql.headers, "console");
    notFramed(graphiql.headers, "console");
    expect(graphiql.headers.get("content-security-policy")).toContain("script-src 'self';");
    expect(graphiql.headers.get("content-security-policy")).not.toContain("https:");
  });

  it("answers CORS on /graphql only for the allow-list and the app's own origin, never echoing others", async () => {
    const evil = await post(`${t.url}/graphql`, { query: `{ __typename }` }, { origin: "https://evil.example" });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(evil.headers.get("access-control-allow-credentials")).toBeNull();
    const preflight = await fetch(`${t.url}/graphql`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await fetch(`${t.url}/graphql`, { method: "OPTIONS", headers: { origin: "https://console.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://console.example");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");
    const own = await post(`${t.url}/graphql`, { query: `{ __typename }` }, { origin: t.url });
    expect(own.headers.get("access-control-allow-origin")).toBe(t.url);
  });

  it("keeps * without credentials on the public surfaces", async () => {
    for (const answer of [
      await post(`${t.url}/graphql/public`, { query: `{ __typename }` }, { origin: "https://evil.example" }),
      await fetch(`${t.url}/api/v2/${slug}/summary.json`, { headers: { origin: "https://evil.example" } }),
      await fetch(`${t.url}/status/${slug}/badge.svg`, { headers: { origin: "https://evil.example" } }),
      await fetch(`${t.url}/graphql/public?query=${pageQuery()}`, { headers: { origin: "https://evil.example" } }),
      await fetch(`${t.url}/graphql/public?query=${pageQuery()}`, { headers: { origin: "https://evil.example" } }),
      await fetch(`${t.url}/status/${slug}`, { headers: { origin: "https://evil.example" } }),
      await fetch(`${t.url}/graphql/public`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } }),
    ]) {
      expect(answer.headers.get("access-control-allow-origin")).toBe("*");
      expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });
});

// FAULT TEST: one address floods the server with sockets; /health, asked from another address,
// keeps answering quickly. Linux routes all of 127/8 to loopback, so 127.0.0.2 is a second client.
describe("fault: a socket flood from one address", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ host: "0.0.0.0", maxConnectionsPerIp: 256, publicRateLimit: 50 });
  });
  afterAll(() => t?.stop());

  function health(): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = httpRequest({ host: "127.0.0.2", localAddress: "127.0.0.2", port: portOf(t), path: "/health", agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      });
      req.setTimeout(5_000, () => req.destroy());
      req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
      req.end();
    });
  }

  it("keeps /health answering from another address while 1 500 raw connections and 300 WebSockets come from one", { timeout: 120_000 }, async () => {
    const port = portOf(t);
    const baseline = await health();
    expect(baseline.status).toBe(200);
    const sockets: Socket[] = [];
    let refused429 = 0;
    const flood = (async () => {
      for (let i = 0; i < 1_500; i++) {
        const socket = connect({ port, host: "127.0.0.1" });
        socket.on("error", () => {});
        socket.once("data", (chunk: Buffer) => chunk.toString().startsWith("HTTP/1.1 429") && refused429++);
        sockets.push(socket);
        if (i % 100 === 99) await sleep(20);
      }
    })();
    const ws = t.url.replace(/^http/, "ws").replace("localhost", "127.0.0.1");
    const upgrades = Promise.all(Array.from({ length: 300 }, (_, i) => openWebSocket(`${ws}${i % 2 ? "/graphql" : "/graphql/public"}`)));
    const probes: { status: number; ms: number }[] = [];
    const probing = (async () => {
      for (let i = 0; i < 20; i++) {
        probes.push(await health());
        await sleep(25);
      }
    })();
    await Promise.all([flood, probing]);
    const opened = await upgrades;
    // The test process is client and server on a shared machine: let the accepts catch up.
    const open = () => sockets.filter((s) => !s.destroyed && s.readyState === "open").length;
    // (A SYN dropped by a full listen backlog is retried by the kernel after a second or more.)
    const settled = () => open() + opened.filter((o) => o.status === 101).length <= 256 && !sockets.some((s) => s.readyState === "opening");
    // On a loaded machine (CI beside other suites) the accepts can lag by tens of seconds.
    for (let waited = 0; waited < 60_000 && !settled(); waited += 100) await sleep(100);
    const stillOpen = open();
    const latencies = probes.map((p) => p.ms).sort((a, b) => a - b);
    const wsStatuses = opened.reduce<Record<number, number>>((acc, o) => ((acc[o.status] = (acc[o.status] ?? 0) + 1), acc), {});
    console.info(
      `flood: 1500 raw + 300 WebSocket from 127.0.0.1; held open: ${stillOpen} raw, refused with 429: ${refused429} raw; WebSocket answers ${JSON.stringify(wsStatuses)}; ` +
        `/health from 127.0.0.2: ${probes.filter((p) => p.status === 200).length}/20 OK, median ${latencies[10]!.toFixed(0)} ms, max ${latencies[19]!.toFixed(0)} ms (baseline ${baseline.ms.toFixed(0)} ms)`,
    );
    expect(probes.every((p) => p.status === 200)).toBe(true);
    // Every probe answered within its 5 s time-out (a starved server fails the check above). The
    // flood's client runs in this same process on a shared 2-core machine, so only the median is
    // bounded, loosely: a server that queued /health behind the flood would be far above it.
    expect(latencies[10]!).toBeLessThan(1_000);
    // The flooding address holds at most the cap; the rest was answered 429 and closed.
    expect(stillOpen + (wsStatuses[101] ?? 0)).toBeLessThanOrEqual(256);
    expect(refused429).toBeGreaterThan(1_000);
    expect(wsStatuses[101] ?? 0).toBeLessThan(300);
    for (const o of opened) o.ws?.terminate();
    for (const s of sockets) s.destroy();
    await sleep(100);
    expect((await health()).status).toBe(200);
  });
});
