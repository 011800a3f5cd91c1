// Serves the built React app (web/dist): files as they are (hashed assets cached for a year),
// and index.html for the app's routes — with status 404 for paths the app does not know, so
// that crawlers and monitors see a real 404 while people see the app's 404 page.
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import sirv from "sirv";

export const WEB_DIST = join(import.meta.dirname, "../../../web/dist");

// The public pages (/status/…) are not among them: they are rendered with their data
// (modules/public/page-route.ts) into index.html, which this handler hands out as `index`.
// /graphql and /graphql/public reach the app only when a browser opens them (api/src/app.ts).
const APP_ROUTES = [/^\/graphql(\/public)?$/, /^\/$/, /^\/login\/?$/, /^\/signup\/?$/, /^\/invitations\/accept\/?$/, /^\/org\/[^/]+(\/.*)?$/];

export interface WebHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The built index.html: the shell the public pages are rendered into. */
  index: string;
}

export function createWebHandler(dist = WEB_DIST): WebHandler | null {
  const indexPath = join(dist, "index.html");
  if (!existsSync(indexPath)) return null;
  const index = readFileSync(indexPath);
  // Hashed assets never change under their name: a year, immutable, and the .br/.gz written at
  // build time (scripts/build-web.mjs) for clients that accept them.
  const files = sirv(dist, {
    etag: true,
    brotli: true,
    gzip: true,
    setHeaders: (res, pathname) => {
      if (pathname.startsWith("/assets/")) res.setHeader("cache-control", "public, max-age=31536000, immutable");
    },
  });
  const html = (res: ServerResponse, req: IncomingMessage, status: number, body: Buffer | string) => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  const handler: WebHandler = Object.assign(
    (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      // Source maps stay on the server (vite.config.ts "hidden"); the compressed twins are served
      // only through content negotiation, never by their own name.
      if (/\.(map|br|gz)$/.test(path)) return html(res, req, 404, index);
      files(req, res, () => {
        html(res, req, APP_ROUTES.some((route) => route.test(path)) ? 200 : 404, index);
      });
    },
    { index: index.toString("utf8") },
  );
  return handler;
}
