// The public files of a page over plain HTTP: /api/v2/:slug/<file>.json (Statuspage v2),
// /status/:slug/feed.atom, feed.rss and badge.svg. GET and HEAD only, readable from any origin
// (as Statuspage's are). Each file is rendered from the page's published snapshot once per
// version and kept serialised (and compressed) on it, with its ETag (public/representation.ts):
// monitors polling every few seconds mostly get 304s, and a change still shows within a second.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PublishedPages } from "../public/published-pages.ts";
import { publicHeaders } from "../../lib/http-guards.ts";
import { sendRepresentation } from "../public/representation.ts";
import { badgeSvg } from "./badge.ts";
import { atomFeed, rssFeed } from "./feeds.ts";
import { STATUSPAGE_FILES, statuspageJson, type StatuspageFile } from "./statuspage-json.ts";

const JSON_PATH = /^\/api\/v2\/([a-z0-9-]+)\/(.+)\.json$/;
const FILE_PATH = /^\/status\/([a-z0-9-]+)\/(feed\.atom|feed\.rss|badge\.svg)$/;

/** Whether this path is one of the public files (so the caller applies the public rate limit). */
export function isPublicFile(path: string): boolean {
  return JSON_PATH.test(path) || FILE_PATH.test(path);
}

/** `onPageHost`: the request came to the page's own host, whose root is the page. */
export async function servePublicFile(req: IncomingMessage, res: ServerResponse, path: string, pages: PublishedPages, trustProxy: boolean, onPageHost = false): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    publicHeaders(res, "json");
    res.writeHead(405, { allow: "GET, HEAD" });
    return void res.end();
  }
  const json = JSON_PATH.exec(path);
  const file = FILE_PATH.exec(path);
  const slug = (json ?? file)![1]!;
  const kind = json ? (json[2] as StatuspageFile) : file![2]!;
  if (json && !STATUSPAGE_FILES.includes(kind as StatuspageFile)) return notFound(res);
  const snapshot = await pages.get(slug);
  if (!snapshot) return notFound(res);
  const origin = originOf(req, trustProxy);
  const pageUrl = onPageHost ? origin : `${origin}/status/${slug}`;
  const page = snapshot.page;
  // The links inside a file name the host it was asked on: the key carries it.
  const key = `${kind}\n${pageUrl}`;
  const rep = json
    ? snapshot.representation(key, "application/json; charset=utf-8", () => JSON.stringify(statuspageJson(kind as StatuspageFile, page, pageUrl)))
    : kind === "feed.atom"
      ? snapshot.representation(key, "application/atom+xml; charset=utf-8", () => atomFeed(page, pageUrl, `${pageUrl}/feed.atom`))
      : kind === "feed.rss"
        ? snapshot.representation(key, "application/rss+xml; charset=utf-8", () => rssFeed(page, pageUrl))
        : snapshot.representation(kind, "image/svg+xml; charset=utf-8", () => badgeSvg(page.status.indicator, page.status.description));
  // The badge may be embedded in other sites' pages (its own kind of security headers).
  sendRepresentation(req, res, rep, { kind: file?.[2] === "badge.svg" ? "badge" : "json" });
}

function notFound(res: ServerResponse): void {
  publicHeaders(res, "json");
  res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ error: "No such status page or file." }));
}

/** The address people reach this server at: the Host header (and the proxy's scheme, if trusted). */
function originOf(req: IncomingMessage, trustProxy: boolean): string {
  const forwardedProto = trustProxy ? String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim() : "";
  const scheme = forwardedProto || ("encrypted" in req.socket && req.socket.encrypted ? "https" : "http");
  return `${scheme}://${req.headers.host ?? "localhost"}`;
}
