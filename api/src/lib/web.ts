// Serves the built React app (web/dist): files as they are (hashed assets cached for a year),
// and index.html for the app's routes — with status 404 for paths the app does not know, so
// that crawlers and monitors see a real 404 while people see the app's 404 page.
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import sirv from "sirv";

export const WEB_DIST = join(import.meta.dirname, "../../../web/dist");

const APP_ROUTES = [/^\/$/, /^\/login\/?$/, /^\/signup\/?$/, /^\/status\/[^/]+\/?$/, /^\/org\/[^/]+(\/.*)?$/];

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createWebHandler(dist = WEB_DIST): WebHandler | null {
  const indexPath = join(dist, "index.html");
  if (!existsSync(indexPath)) return null;
  const index = readFileSync(indexPath);
  const files = sirv(dist, {
    etag: true,
    setHeaders: (res, pathname) => {
      if (pathname.startsWith("/assets/")) res.setHeader("cache-control", "public, max-age=31536000, immutable");
    },
  });
  return (req, res) => {
    files(req, res, () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const known = APP_ROUTES.some((route) => route.test(path));
      res.writeHead(known ? 200 : 404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : index);
    });
  };
}
