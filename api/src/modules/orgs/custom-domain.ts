// Custom domains are proven before they serve (docs/adr/0010-production-defaults-and-domain-proof.md).
// updateOrganization only claims a host (pendingCustomDomain + a random token); verifyCustomDomain
// asks the host for the token, over HTTP at /.well-known/statuspage-challenge/<token> (answered by
// this product itself, so pointing the host at this server is the proof) or in a DNS TXT record
// _statuspage-challenge.<host>, and only then makes it the organisation's customDomain.
import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import type { Prisma } from "../../lib/db.ts";

export const CHALLENGE_PATH = "/.well-known/statuspage-challenge/";
export const DNS_CHALLENGE_LABEL = "_statuspage-challenge";
const TIMEOUT_MS = 3_000;
/** The token is 32 characters; anything much longer is not an answer worth reading. */
const MAX_BODY_BYTES = 1_024;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export type ResolveTxt = (name: string) => Promise<string[][]>;

export interface CustomDomains {
  /** The port the HTTP challenge is asked on (CUSTOM_DOMAIN_CHECK_PORT; 0 there: this server's own). */
  checkPort(): number;
  /** Why `domain` may not be claimed at all (it is one of this server's own hosts), or null. */
  reservedReason(domain: string): string | null;
  /** Asks `domain` for `token`: by HTTP (unless httpAllowed is false) and by DNS, whichever answers first. */
  prove(domain: string, token: string, options: { httpAllowed: boolean }): Promise<ProofResult>;
}

export type ProofResult = { ok: true; via: "http" | "dns" } | { ok: false; reasons: string[] };

export interface CustomDomainsOptions {
  checkPort: () => number;
  statusBaseDomain?: string | undefined;
  /** Where people reach the app (PUBLIC_URL): its host can never become a page host. */
  publicUrl: () => string;
  /** Tests inject one; unset: the system's DNS servers, 3 s time-out, one try. */
  resolveTxt?: ResolveTxt | undefined;
}

export function createCustomDomains(options: CustomDomainsOptions): CustomDomains {
  const base = options.statusBaseDomain?.toLowerCase().replace(/^\./, "");
  let resolver: Resolver | undefined;
  const resolveTxt: ResolveTxt = options.resolveTxt ?? ((name) => (resolver ??= new Resolver({ timeout: TIMEOUT_MS, tries: 1 })).resolveTxt(name));
  return {
    checkPort: options.checkPort,
    reservedReason(domain) {
      const host = domain.toLowerCase();
      if (host === new URL(options.publicUrl()).hostname) return `${host} is this server's own address`;
      // <label>.<base> is already a page host by its name (page-hosts.ts); deeper names are not.
      if (base && (host === base || (host.endsWith(`.${base}`) && !host.slice(0, -base.length - 1).includes(".")))) {
        return `${host} is one of this server's own page hosts (<slug>.${base})`;
      }
      return null;
    },
    async prove(domain, token, { httpAllowed }) {
      const attempts: Promise<"http" | "dns">[] = [
        askDns(domain, token, resolveTxt).then((failure) => (failure === null ? "dns" : Promise.reject(new Error(`DNS: ${failure}`)))),
      ];
      if (httpAllowed) {
        attempts.unshift(askHttp(domain, token, options.checkPort()).then((failure) => (failure === null ? "http" : Promise.reject(new Error(`HTTP: ${failure}`)))));
      }
      try {
        return { ok: true, via: await Promise.any(attempts) };
      } catch (error) {
        const reasons = (error as AggregateError).errors.map((e: unknown) => (e as Error).message);
        if (!httpAllowed) reasons.unshift("HTTP: not enough here, since another organisation already serves this domain: only the DNS record can move it");
        return { ok: false, reasons };
      }
    },
  };
}

/** A fresh challenge token (192 random bits, URL- and DNS-safe). */
export function newChallengeToken(): string {
  return randomBytes(24).toString("base64url");
}

export interface CustomDomainChallenge {
  domain: string;
  token: string;
  httpUrl: string;
  dnsName: string;
  dnsValue: string;
}

/** What an admin must make `domain` answer; null when nothing is pending. */
export function challengeOf(org: { pendingCustomDomain: string | null; customDomainToken: string | null }, checkPort: number): CustomDomainChallenge | null {
  const domain = org.pendingCustomDomain;
  const token = org.customDomainToken;
  if (!domain || !token) return null;
  return {
    domain,
    token,
    httpUrl: `http://${domain}${checkPort === 80 ? "" : `:${checkPort}`}${CHALLENGE_PATH}${token}`,
    dnsName: `${DNS_CHALLENGE_LABEL}.${domain}`,
    dnsValue: token,
  };
}

/**
 * `*.localhost` names are loopback (RFC 6761 §6.3) whatever the system resolver says; every
 * other name is looked up as usual. Only the claimed host is ever connected to.
 */
export function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/**
 * GET http://<domain>:<port>/.well-known/statuspage-challenge/<token>: null when it answers 200
 * with exactly the token, else why not. No redirect is followed (node:http follows none), the
 * whole exchange has 3 s, the body is read up to 1 KB, and of the answer only its status is reported.
 */
export function askHttp(domain: string, token: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (failure: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(failure);
    };
    const req = request(
      {
        host: isLocalhostName(domain) ? "127.0.0.1" : domain,
        port,
        path: CHALLENGE_PATH + token,
        method: "GET",
        agent: false,
        headers: { host: port === 80 ? domain : `${domain}:${port}`, accept: "text/plain", "user-agent": "statuspage-domain-check" },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) return finish(`answered a redirect (HTTP ${status}), which is not followed`);
        if (status !== 200) return finish(`answered HTTP ${status} instead of 200`);
        let body = "";
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) return finish("answered more than the token");
          body += chunk.toString("utf8");
        });
        res.on("end", () => finish(body.trim() === token ? null : "answered something other than the token"));
        res.on("error", () => finish("broke off its answer"));
      },
    );
    const deadline = setTimeout(() => finish(`no answer within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
    req.on("error", (error: NodeJS.ErrnoException) => finish(connectFailure(error.code)));
    req.end();
  });
}

function connectFailure(code: string | undefined): string {
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the name does not resolve";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return `could not connect${code ? ` (${code})` : ""}`;
  }
}

/** Looks for a TXT record _statuspage-challenge.<domain> that is the token: null when found, else why not. */
export async function askDns(domain: string, token: string, resolveTxt: ResolveTxt): Promise<string | null> {
  const name = `${DNS_CHALLENGE_LABEL}.${domain}`;
  if (isLocalhostName(domain)) return `${domain} is a localhost name, which has no DNS records`;
  let records: string[][];
  try {
    records = await resolveTxt(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENODATA" || code === "ENOTFOUND") return `no TXT record ${name}`;
    if (code === "ETIMEOUT") return `no answer for ${name} within ${TIMEOUT_MS / 1000} s`;
    return `the lookup of ${name} failed${code ? ` (${code})` : ""}`;
  }
  // A long TXT record arrives in chunks of at most 255 characters.
  return records.some((chunks) => chunks.join("").trim() === token) ? null : `the TXT record ${name} does not contain the token`;
}

/**
 * GET /.well-known/statuspage-challenge/<token> on any host: the token in text/plain when some
 * organisation has claimed that host with that token, 404 otherwise (docs/adr/0010).
 */
export async function serveChallenge(req: IncomingMessage, res: ServerResponse, prisma: Prisma, token: string): Promise<void> {
  const host = (req.headers.host ?? "").toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const found =
    (req.method === "GET" || req.method === "HEAD") && TOKEN_PATTERN.test(token) && host
      ? await prisma.organization.findFirst({ where: { customDomainToken: token, pendingCustomDomain: host }, select: { id: true } })
      : null;
  if (!found) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end("No such challenge.\n");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : token);
}
