// One HTTP POST to a webhook, safe against server-side request forgery: the host name is
// resolved here, every address it resolves to must be public (domain.ts), and the connection
// goes to an address that was checked (node:http's `lookup` hook), so a name that resolves to
// 8.8.8.8 for the check and to 127.0.0.1 for the connection (DNS rebinding) gets nowhere.
// Redirects are never followed (node:http does not), a 3xx is a failed attempt.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { checkWebhookUrl, ipLiteralOf, isPublicAddress, PRIVATE_TARGET } from "./domain.ts";

export interface SendResult {
  /** The HTTP status, when an answer came. */
  status: number | null;
  succeeded: boolean;
  durationMs: number;
  /** What went wrong, for the admin (never the receiver's body, never a resolved address). */
  error: string | null;
}

export interface SendOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

class RefusedTarget extends Error {
  readonly code = "REFUSED_TARGET";
}

/** dns.lookup, but every address must be public; hands node:http only checked addresses. */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) return callback(new RefusedTarget(PRIVATE_TARGET), "", 0);
    if (options.all) return (callback as unknown as (e: null, list: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

export async function postWebhook(options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string, status: number | null = null): SendResult => ({ status, succeeded: false, durationMs: elapsed(), error });

  const checked = checkWebhookUrl(options.url, options.allowPrivate);
  if (!checked.ok) return fail(`refused: the URL ${checked.reason}`);
  const { url } = checked;
  // An IP literal never goes through `lookup`: checkWebhookUrl has judged it.
  const literal = ipLiteralOf(url.hostname);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const requestOptions: RequestOptions = {
    method: "POST",
    headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
    agent: false, // a connection of its own: nothing pooled to a host that has since been re-resolved
    signal: AbortSignal.timeout(options.timeoutMs),
    ...(options.allowPrivate || literal !== null ? {} : { lookup: checkedLookup }),
  };

  return new Promise<SendResult>((resolve) => {
    const req = request(url, requestOptions, (res) => {
      const status = res.statusCode ?? 0;
      // The answer's body is not needed: read and drop it (bounded by the same deadline).
      res.on("error", () => {});
      res.resume();
      if (status >= 200 && status < 300) return resolve({ status, succeeded: true, durationMs: elapsed(), error: null });
      const note = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
      resolve(fail(`HTTP ${status}${note}`, status));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(fail(describe(error, options.timeoutMs))));
    req.end(options.body);
  });
}

/** A failure in words an admin can act on. */
function describe(error: NodeJS.ErrnoException, timeoutMs: number): string {
  if (error instanceof RefusedTarget || (error.cause instanceof RefusedTarget)) return "refused: the host resolves to a loopback, private, link-local or other internal address";
  if (error.name === "AbortError" || error.name === "TimeoutError" || error.code === "ABORT_ERR") return `no answer within ${timeoutMs / 1000} s`;
  switch (error.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NODATA":
    case "EAI_NONAME":
      return "the host name does not resolve";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "EPIPE":
      return "connection closed before an answer";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "connection timed out";
    default:
      if (error.code?.startsWith("ERR_TLS") || error.code?.includes("CERT")) return `TLS: ${error.code}`;
      return `could not deliver (${error.code ?? error.name})`;
  }
}
