// A public answer serialised once: its bytes, a strong ETag of those bytes, and the gzip and
// brotli bodies, each compressed at most once (on the first request that accepts it). The
// fast path (public/fast-path.ts) writes these to every reader of the same version.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { securityHead, type ContentKind } from "../../lib/http-guards.ts";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Below this, compression saves less than its headers cost. */
const COMPRESS_FROM = 512;

export class Representation {
  readonly etag: string;
  private readonly etags: { br: string; gzip: string };
  private gzip: Buffer | null = null;
  private br: Buffer | null = null;

  constructor(
    readonly contentType: string,
    readonly body: Buffer,
    /** Called with the bytes each compressed body adds (the caches count them). */
    private readonly grew: (bytes: number) => void = () => {},
  ) {
    // The ETag is a hash of the content, not the version: a rebuild that changed nothing keeps it.
    const hash = createHash("sha1").update(body).digest("base64url");
    this.etag = `"${hash}"`;
    this.etags = { br: `"${hash}-br"`, gzip: `"${hash}-gz"` };
  }

  get bytes(): number {
    return this.body.length + (this.gzip?.length ?? 0) + (this.br?.length ?? 0);
  }

  /** The ETag of the bytes sent in `encoding`. */
  etagOf(encoding: "br" | "gzip" | null): string {
    return encoding ? this.etags[encoding] : this.etag;
  }

  /** The body for a client's Accept-Encoding: brotli, else gzip, else as it is. */
  encoded(acceptEncoding: string | undefined): { body: Buffer; encoding: "br" | "gzip" | null } {
    if (this.body.length < COMPRESS_FROM || !acceptEncoding) return { body: this.body, encoding: null };
    if (/\bbr\b/.test(acceptEncoding)) {
      if (!this.br) {
        // Quality 5: most of brotli's gain at a few milliseconds, once per version.
        this.br = brotliCompressSync(this.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: this.body.length } });
        this.grew(this.br.length);
      }
      return { body: this.br, encoding: "br" };
    }
    if (/\bgzip\b/.test(acceptEncoding)) {
      if (!this.gzip) {
        this.gzip = gzipSync(this.body);
        this.grew(this.gzip.length);
      }
      return { body: this.gzip, encoding: "gzip" };
    }
    return { body: this.body, encoding: null };
  }
}

/** Short: a CDN absorbs a spike, and a change still shows within about a second. */
export const PUBLIC_CACHE_CONTROL = "public, max-age=1, stale-while-revalidate=5";

/** How a representation is sent: its Vary and Cache-Control, and what it is (its security headers). */
export interface SendOptions {
  vary?: string;
  cacheControl?: string;
  kind?: ContentKind;
  /** The Host asked (the app's and the page's CSP name it). */
  host?: string | undefined;
}

/**
 * Answers GET/HEAD from a representation: 304 when If-None-Match names it, else the body in
 * the best encoding the client accepts. Each encoding has its own ETag (`"…-br"`), as HTTP
 * wants for different bytes; a conditional request matches any of them. The head is written
 * whole, the security headers and the `*` origin of a public surface included: Node takes a
 * head given whole as it is, where headers set one by one (setHeader) cost a read from memory
 * 12–17 % of its CPU time (docs/PERFORMANCE.md, session 23).
 */
export function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation, { vary = "Accept-Encoding", cacheControl = PUBLIC_CACHE_CONTROL, kind = "json", host }: SendOptions = {}): void {
  const { body, encoding } = rep.encoded(req.headers["accept-encoding"]);
  const notModified = matches(req.headers["if-none-match"], rep.etag);
  const head = ["content-type", rep.contentType, "cache-control", cacheControl, "etag", rep.etagOf(encoding), "vary", vary];
  if (!notModified) {
    if (encoding) head.push("content-encoding", encoding);
    head.push("content-length", String(body.length));
  }
  for (const part of securityHead(kind, host, true)) head.push(part);
  res.writeHead(notModified ? 304 : 200, head);
  res.end(notModified || req.method === "HEAD" ? undefined : body);
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const base = etag.slice(1, -1);
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "");
    return t === "*" || t.slice(1, -1).replace(/-(br|gz)$/, "") === base;
  });
}
