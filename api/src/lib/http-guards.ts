// What every HTTP answer and every connection passes through before any route (docs/adr/0009):
// - security headers fitting the content (CSP, nosniff, Referrer-Policy, frame rules);
// - CORS: /graphql only for the app's own origin and CORS_ORIGINS (with credentials), the public
//   surfaces `*` without credentials;
// - body caps (1 MB /graphql, 64 KB /graphql/public, 16 KB anything else): 413 REQUEST_ENTITY_TOO_LARGE;
// - a cap on concurrent connections per socket address (MAX_CONNECTIONS_PER_IP): HTTP keep-alive
//   and WebSockets alike; over it the connection gets a 429 and is closed before any work;
// - load shedding: while the event loop lags more than LOAD_SHED_LAG_MS, GraphQL and public-file
//   requests (and WebSocket upgrades) get 503 with Retry-After; /health and /ready always answer.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

export const KB = 1024;
export const MB = 1024 * KB;

/** Body caps per path (bytes). */
export const BODY_LIMITS = { graphql: 1 * MB, publicGraphql: 64 * KB, other: 16 * KB } as const;

/** What a response is, for its Content-Security-Policy and framing. */
export type ContentKind = "json" | "app" | "page" | "badge";

const BASE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
} as const;

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The web app's policy; `framing` is 'none' (dashboard, sign-in, the GraphQL console) or * (the
 * public status page). Scripts, workers and connections only from this origin; fonts also as
 * data: URLs (the console's editor ships its icon font inside its stylesheet, docs/adr/0017).
 */
function appCsp(host: string | undefined, framing: "'none'" | "*"): string {
  // 'self' covers same-origin ws:/wss: in CSP 3 browsers; the explicit host helps older ones.
  const sane = host && /^[a-z0-9.-]+(:\d{1,5})?$/i.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sane}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${framing}`,
  ].join("; ");
}

/**
 * The security headers for `kind` as [name, value, …], with the public surfaces' `*` origin when
 * `anyOrigin`: for a head written whole (public/representation.ts). Kept per kind and host (the
 * app's and the page's CSP name the host, which is client input: hence the bound).
 */
export function securityHead(kind: ContentKind, host?: string, anyOrigin = false): readonly string[] {
  const key = `${kind}${anyOrigin ? "*" : ""} ${kind === "app" || kind === "page" ? (host ?? "") : ""}`;
  let head = heads.get(key);
  if (!head) {
    const csp =
      kind === "app"
        ? appCsp(host, "'none'")
        : kind === "page"
          ? appCsp(host, "*")
          : kind === "badge"
            ? "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
            : JSON_CSP;
    head = [
      ...Object.entries(BASE_HEADERS).flat(),
      "content-security-policy",
      csp,
      // The public status page (and its badge) may be embedded in other sites' pages; nothing else.
      ...(kind === "page" || kind === "badge" ? [] : ["x-frame-options", "DENY"]),
      ...(anyOrigin ? ["access-control-allow-origin", "*"] : []),
    ];
    if (heads.size >= MAX_HEADS) heads.clear();
    heads.set(key, head);
  }
  return head;
}

const heads = new Map<string, readonly string[]>();
const MAX_HEADS = 1024;

/**
 * Sets the security headers for `kind` on `res` (before anything is written; the route's own
 * writeHead headers merge with these). Set for "json" on every request but the public reads
 * (app.ts route()), then again by a route that serves something else.
 */
export function securityHeaders(res: ServerResponse, kind: ContentKind, host?: string): void {
  const head = securityHead(kind, host);
  for (let i = 0; i < head.length; i += 2) res.setHeader(head[i]!, head[i + 1]!);
  if (kind === "page" || kind === "badge") res.removeHeader("x-frame-options");
}

/**
 * What every answer of a public surface carries, set now: a public read that memory does not
 * answer (with its whole head, public/representation.ts) calls this before anything else.
 */
export function publicHeaders(res: ServerResponse, kind: ContentKind, host?: string): void {
  securityHeaders(res, kind, host);
  res.setHeader("access-control-allow-origin", "*");
}

/** The JSON kind's headers as an object, for the errors below (written on any path). */
const JSON_SECURITY: Record<string, string> = (() => {
  const head = securityHead("json");
  const headers: Record<string, string> = {};
  for (let i = 0; i < head.length; i += 2) headers[head[i]!] = head[i + 1]!;
  return headers;
})();

/** The same headers as a raw header block, for answers written straight to a socket. */
function rawSecurityHeaders(): string[] {
  return Object.entries(JSON_SECURITY).map(([name, value]) => `${name}: ${value}`);
}

// ---- CORS ----

export interface CorsPolicy {
  /** Origins allowed to call /graphql from a browser (CORS_ORIGINS), besides the app's own. */
  allowed: readonly string[];
  /** The app's own origin (PUBLIC_URL), if known. */
  own?: (() => string | undefined) | undefined;
}

const ALLOW_HEADERS = "content-type, accept, authorization";
const PUBLIC_ALLOW_HEADERS = "content-type, accept, if-none-match";

/**
 * Applies CORS for a request. `surface` is "private" for /graphql (allow-list, credentials) or
 * "public" for /graphql/public and the public files (`*`, never credentials). Answers a preflight
 * (OPTIONS) itself and returns true then.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, surface: "private" | "public", policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === "OPTIONS";
  if (surface === "public") {
    res.setHeader("access-control-allow-origin", "*");
    if (preflight) {
      res.writeHead(204, { "access-control-allow-methods": "GET, POST, OPTIONS", "access-control-allow-headers": PUBLIC_ALLOW_HEADERS, "access-control-max-age": "600", "content-length": "0" });
      res.end();
      return true;
    }
    return false;
  }
  res.setHeader("vary", "Origin");
  const allowed = typeof origin === "string" && isAllowedOrigin(origin, req.headers.host, policy);
  if (allowed) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-allow-credentials", "true");
  }
  if (preflight) {
    // A refused origin gets no CORS headers: the browser blocks the call.
    res.writeHead(204, allowed ? { "access-control-allow-methods": "GET, POST, OPTIONS", "access-control-allow-headers": ALLOW_HEADERS, "access-control-max-age": "600", "content-length": "0" } : { "content-length": "0" });
    res.end();
    return true;
  }
  return false;
}

function isAllowedOrigin(origin: string, host: string | undefined, policy: CorsPolicy): boolean {
  if (policy.allowed.includes(origin)) return true;
  const own = policy.own?.();
  if (own && originOf(own) === origin) return true;
  // The app's own page calling its own host (browsers send Origin on same-origin POSTs too).
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Parses CORS_ORIGINS: comma-separated origins, each normalised to scheme://host[:port]. */
export function parseOrigins(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => originOf(entry) ?? entry);
}

// ---- errors written by the guards ----

export function jsonError(res: ServerResponse, status: number, message: string, code: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  // With the security headers of JSON itself: a public read is refused before any were set.
  res.writeHead(status, { ...JSON_SECURITY, "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** 413 REQUEST_ENTITY_TOO_LARGE; the connection is closed (the rest of the body is not read). */
export function tooLarge(res: ServerResponse, limit: number): void {
  jsonError(res, 413, `The request body is larger than ${formatBytes(limit)}.`, "REQUEST_ENTITY_TOO_LARGE", { connection: "close" });
}

/** 429 RATE_LIMITED with Retry-After. */
export function rateLimited(res: ServerResponse, retryAfter: number): void {
  jsonError(res, 429, `Too many requests: retry in ${retryAfter} s.`, "RATE_LIMITED", { "retry-after": String(retryAfter) });
}

/** 503 while shedding load: the client should retry (code RATE_LIMITED: "retry after"). */
export function overloaded(res: ServerResponse, retryAfter = 1): void {
  jsonError(res, 503, `The server is overloaded: retry in ${retryAfter} s.`, "RATE_LIMITED", { "retry-after": String(retryAfter) });
}

function formatBytes(n: number): string {
  return n >= MB ? `${n / MB} MB` : `${n / KB} KB`;
}

/** A whole HTTP answer written to a raw socket (connection refusals, WebSocket upgrades), then close. */
export function refuseSocket(socket: Duplex, status: number, text: string, message: string, code: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  const lines = [
    `HTTP/1.1 ${status} ${text}`,
    "connection: close",
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(body)}`,
    ...rawSecurityHeaders(),
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    body,
  ];
  if (!socket.writable) return void socket.destroy();
  socket.end(lines.join("\r\n"));
}

// ---- body caps ----

/** The body cap for a path. */
export function bodyLimitFor(path: string): number {
  if (path === "/graphql/public" || path.startsWith("/graphql/public/")) return BODY_LIMITS.publicGraphql;
  if (path === "/graphql" || path.startsWith("/graphql/")) return BODY_LIMITS.graphql;
  return BODY_LIMITS.other;
}

/** Whether the declared Content-Length is over `limit` (a body sent chunked is counted as read). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * Reads the body up to `limit` bytes. Over it: stops reading, answers 413 and resolves null.
 * Otherwise resolves the bytes (Yoga's adapter takes a Buffer at `req.body` as the body).
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | null> {
  if (declaredTooLarge(req, limit)) {
    tooLarge(res, limit);
    req.resume(); // never buffered; the connection closes after the answer
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        tooLarge(res, limit);
        req.resume();
        // Stop reading: the rest of the body is not wanted, and the connection is closing.
        res.once("finish", () => req.socket.destroySoon());
        return resolve(null);
      }
      chunks.push(chunk);
    };
    const onEnd = () => (cleanup(), resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => (cleanup(), reject(error));
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
  });
}

// ---- connections per address ----

export interface ConnectionCap {
  /** Whether this socket was refused (its requests and upgrades are to be ignored). */
  refused(socket: Duplex): boolean;
  /** Open connections from `address` (tests, metrics). */
  count(address: string): number;
}

/**
 * Counts open TCP connections per remote (socket) address on the server's 'connection' event.
 * Over `max` the new connection gets a 429 RATE_LIMITED written at once and is closed: no
 * request on it is read, no WebSocket handshake happens. Behind a reverse proxy every connection
 * comes from the proxy, so the cap applies to the proxy's address (raise it or cap at the proxy).
 * 0 turns the cap off.
 */
export function capConnections(server: Server, max: number): ConnectionCap {
  const open = new Map<string, number>();
  const refused = new WeakSet<Duplex>();
  if (max > 0) {
    server.prependListener("connection", (socket: Duplex & { remoteAddress?: string | undefined }) => {
      const address = socket.remoteAddress ?? "unknown";
      const now = (open.get(address) ?? 0) + 1;
      if (now > max) {
        refused.add(socket);
        refuseSocket(socket, 429, "Too Many Requests", `Too many connections from one address (at most ${max}).`, "RATE_LIMITED", { "retry-after": "1" });
        // The client normally closes on our FIN; if it does not, do not hold the descriptor.
        setTimeout(() => socket.destroy(), 1_000).unref();
        return;
      }
      open.set(address, now);
      socket.once("close", () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    });
  }
  return { refused: (socket) => refused.has(socket), count: (address) => open.get(address) ?? 0 };
}

// ---- event-loop lag ----

export interface LagMonitor {
  /** The event-loop lag (ms) measured by the latest sample. */
  lag(): number;
  /** Forgets the latest sample and restarts the clock (at listen: boot work is not load). */
  reset(): void;
  stop(): void;
}

/**
 * Measures event-loop lag by timer drift: a timer due every `intervalMs` that fires late by L ms
 * means the loop was blocked (or queued) for L ms. Expired timers run before pending I/O, so a
 * backlog of requests that built up during a stall sees the stall's lag and is shed.
 */
export function monitorLag(intervalMs = 20): LagMonitor {
  let last = performance.now();
  let lag = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(0, now - last - intervalMs);
    last = now;
  }, intervalMs);
  timer.unref();
  return {
    lag: () => lag,
    reset: () => {
      last = performance.now();
      lag = 0;
    },
    stop: () => clearInterval(timer),
  };
}
