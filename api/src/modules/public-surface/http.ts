// The public files of a page over plain HTTP: /api/v2/:slug/<file>.json (Statuspage v2),
// /status/:slug/feed.atom, feed.rss and badge.svg. GET and HEAD only, readable from any origin
// (as Statuspage's are), cacheable for a second with an ETag so that monitors polling every few
// seconds mostly get 304s while a change still shows within a second.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Prisma } from "../../lib/db.ts";
import { badgeSvg } from "./badge.ts";
import { atomFeed, rssFeed } from "./feeds.ts";
import { loadPublicPage } from "./load-page.ts";
import { STATUSPAGE_FILES, statuspageJson, type StatuspageFile } from "./statuspage-json.ts";

const JSON_PATH = /^\/api\/v2\/([a-z0-9-]+)\/(.+)\.json$/;
const FILE_PATH = /^\/status\/([a-z0-9-]+)\/(feed\.atom|feed\.rss|badge\.svg)$/;

/** Whether this path is one of the public files (so the caller applies the public rate limit). */
export function isPublicFile(path: string): boolean {
  return JSON_PATH.test(path) || FILE_PATH.test(path);
}

/** `onPageHost`: the request came to the page's own host, whose root is the page. */
export async function servePublicFile(req: IncomingMessage, res: ServerResponse, path: string, prisma: Prisma, trustProxy: boolean, onPageHost = false): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "access-control-allow-origin": "*" });
    return void res.end();
  }
  const json = JSON_PATH.exec(path);
  const file = FILE_PATH.exec(path);
  const slug = (json ?? file)![1]!;
  const kind = json ? (json[2] as StatuspageFile) : file![2]!;
  if (json && !STATUSPAGE_FILES.includes(kind as StatuspageFile)) return notFound(res);
  const page = await loadPublicPage(prisma, slug);
  if (!page) return notFound(res);
  const origin = originOf(req, trustProxy);
  const pageUrl = onPageHost ? origin : `${origin}/status/${slug}`;
  if (json) return send(req, res, "application/json; charset=utf-8", JSON.stringify(statuspageJson(kind as StatuspageFile, page, pageUrl)));
  if (kind === "feed.atom") return send(req, res, "application/atom+xml; charset=utf-8", atomFeed(page, pageUrl, `${pageUrl}/feed.atom`));
  if (kind === "feed.rss") return send(req, res, "application/rss+xml; charset=utf-8", rssFeed(page, pageUrl));
  return send(req, res, "image/svg+xml; charset=utf-8", badgeSvg(page.status.indicator, page.status.description));
}

function send(req: IncomingMessage, res: ServerResponse, contentType: string, body: string): void {
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  const headers = {
    "content-type": contentType,
    "cache-control": "public, max-age=1",
    etag,
    "access-control-allow-origin": "*",
    vary: "Accept-Encoding",
  };
  const matches = (req.headers["if-none-match"] ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (matches.includes(etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*" });
  res.end(JSON.stringify({ error: "No such status page or file." }));
}

/** The address people reach this server at: the Host header (and the proxy's scheme, if trusted). */
function originOf(req: IncomingMessage, trustProxy: boolean): string {
  const forwardedProto = trustProxy ? String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim() : "";
  const scheme = forwardedProto || ("encrypted" in req.socket && req.socket.encrypted ? "https" : "http");
  return `${scheme}://${req.headers.host ?? "localhost"}`;
}
