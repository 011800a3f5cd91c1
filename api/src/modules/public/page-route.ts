// The public pages' first HTML over HTTP: `/status/:slug` and `/status/:slug/incidents/:id`, and
// `/` and `/incidents/:id` on a page host. Each is one more representation of the published page
// (docs/adr/0016): rendered once per version from the answer to the app's own query (which the
// fast path keeps under the key the app's refetches use), kept on the snapshot with its ETag and
// compressed bodies, answered from memory with 304s and the public Cache-Control. An unknown
// page, and an unknown, deleted or other organisation's incident, answer 404 with a readable page.
// The email-subscription pages the mails link to are the app's HTML, with no page data.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { YogaServerInstance } from "graphql-yoga";
import type { Context } from "../../context.ts";
import type { IncidentPageQuery, StatusPageQuery } from "../../../../web/src/gql/graphql.ts";
import { answer, type PublicResponseCache } from "./fast-path.ts";
import { html } from "../../lib/html.ts";
import { incidentPageHtml, notFoundHtml, stateScript, statusPageHtml, unavailableHtml, type PageLinks, type PageShell } from "./page-html.ts";
import { pageRequest, type PageOperation } from "./page-request.ts";
import { INCIDENT_KEY, type PublishedPages } from "./published-pages.ts";
import { securityHeaders } from "../../lib/http-guards.ts";
import { sendRepresentation } from "./representation.ts";

const HTML = "text/html; charset=utf-8";
const PAGE_PATH = /^\/status\/([A-Za-z0-9-]{1,100})\/?$/;
const INCIDENT_PATH = /^\/status\/([A-Za-z0-9-]{1,100})\/incidents\/([^/]{1,200})\/?$/;
const HOST_INCIDENT_PATH = /^\/incidents\/([^/]{1,200})\/?$/;
/** Where subscription mails lead: confirming (`…/subscription/confirm?token=`) and managing (`…/subscription?token=`). */
const SUBSCRIPTION_PATH = /^\/status\/([A-Za-z0-9-]{1,100})\/subscription(?:\/confirm)?\/?$/;
const HOST_SUBSCRIPTION_PATH = /^\/subscription(?:\/confirm)?\/?$/;

export interface PageTarget {
  slug: string;
  /** Null: the status page itself. */
  incidentId: string | null;
  onPageHost: boolean;
}

/** The page a GET asks for, or null when the path is none of the public pages. On a page host `pageSlug` is its page. */
export function pageTarget(path: string, pageSlug: string | null): PageTarget | null {
  if (pageSlug !== null) {
    if (path === "/" || path === "") return { slug: pageSlug, incidentId: null, onPageHost: true };
    const incident = HOST_INCIDENT_PATH.exec(path);
    return incident ? { slug: pageSlug, incidentId: decode(incident[1]!), onPageHost: true } : null;
  }
  const page = PAGE_PATH.exec(path);
  if (page) return { slug: page[1]!.toLowerCase(), incidentId: null, onPageHost: false };
  const incident = INCIDENT_PATH.exec(path);
  return incident ? { slug: incident[1]!.toLowerCase(), incidentId: decode(incident[2]!), onPageHost: false } : null;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not an id either way: the page answers 404
  }
}

/**
 * The page whose email-subscription page (confirm, manage) `path` is, or null. They hold no page data
 * (the token in the query is the app's to use), so they are the app's HTML, 200, on the status path
 * of any host and at the root of a page host, where the app learns its page from the slug tag.
 */
export function subscriptionPageSlug(path: string, pageSlug: string | null): string | null {
  const onPath = SUBSCRIPTION_PATH.exec(path);
  if (onPath) return onPath[1]!.toLowerCase();
  return pageSlug !== null && HOST_SUBSCRIPTION_PATH.test(path) ? pageSlug : null;
}

/** `pageSlug`: this host's page, named for the app (App.tsx) so that its links stay on the host. */
export function serveSubscriptionPage(req: IncomingMessage, res: ServerResponse, shell: PageShell, pageSlug: string | null): void {
  const head = pageSlug === null ? undefined : html`<meta name="statuspage-slug" content="${pageSlug}" />`;
  const body = html`<main class="page narrow"><h1>Email updates</h1><p class="muted">Loading…</p><noscript><p>This page needs JavaScript to confirm or change your subscription.</p></noscript></main>`;
  // The token is in the address: never sent on to another site, never kept by a cache.
  send(req, res, 200, shell.render({ title: "Email updates", head, body }), { "referrer-policy": "no-referrer" });
}

export interface PageRouteDeps {
  pages: PublishedPages;
  answers: PublicResponseCache;
  yoga: YogaServerInstance<object, Context>;
  shell: PageShell;
  /** Takes the shared public budget before GraphQL work; false when refused (answered 429). */
  beforeWork: () => Promise<boolean>;
}

export async function servePage(req: IncomingMessage, res: ServerResponse, target: PageTarget, deps: PageRouteDeps): Promise<void> {
  const { slug, incidentId, onPageHost } = target;
  const links: PageLinks = { base: onPageHost ? "" : `/status/${slug}`, slug, onPageHost };
  const operation: PageOperation = incidentId === null ? "StatusPage" : "IncidentPage";
  const variables: Record<string, string> = incidentId === null ? { slug } : { slug, id: incidentId };
  const snapshot = await deps.pages.get(slug);
  const key = `${incidentId === null ? "html\npage" : `${INCIDENT_KEY}${incidentId}`}\n${onPageHost ? "host" : "path"}`;
  // The public page may be framed: its own kind of security headers, written with the head
  // when memory answers (public/representation.ts), else set now, before anything else.
  const host = req.headers.host;
  const kept = snapshot?.cached(key);
  if (kept) return sendRepresentation(req, res, kept, { kind: "page", host });
  securityHeaders(res, "page", host);
  if (!snapshot) {
    // No page: the answer the query would get ({"statusPage":null}) spares the app a fetch.
    return send(req, res, 404, notFoundHtml(deps.shell, `No status page is called “${slug}”.`, stateScript(operation, variables, `{"data":{"statusPage":null}}`)));
  }

  const request = pageRequest(operation, variables);
  const executed = await answer(req, request.key, request.url, deps.answers, deps.yoga, deps.beforeWork, request.accept);
  if (!executed) return; // refused (429 sent)
  if (!("rep" in executed)) {
    // An id that is no id (too long, …) is refused by validation: for a visitor, no such incident.
    if (incidentId !== null && executed.status < 500) return send(req, res, 404, notFoundHtml(deps.shell, "There is no such incident."));
    return send(req, res, 503, unavailableHtml(deps.shell), { "retry-after": "1" });
  }
  const body = executed.rep.body.toString("utf8");
  const state = stateScript(operation, variables, body);
  let html: string;
  if (incidentId === null) {
    const page = (JSON.parse(body) as { data: StatusPageQuery }).data.statusPage;
    if (!page) return send(req, res, 404, notFoundHtml(deps.shell, `No status page is called “${slug}”.`, state)); // deleted meanwhile
    html = statusPageHtml(deps.shell, page, links, state);
  } else {
    const page = (JSON.parse(body) as { data: IncidentPageQuery }).data.statusPage;
    if (!page?.incident) return send(req, res, 404, notFoundHtml(deps.shell, page ? `${page.organization.name} has no such incident.` : `No status page is called “${slug}”.`, state));
    html = incidentPageHtml(deps.shell, { ...page, incident: page.incident }, links, state);
  }
  // Kept on the version it shows; an answer from a newer version than the snapshot in hand
  // (a change landed meanwhile) is served once and not kept on the old one.
  const shows = executed.reads.some((read) => read.snapshotId === snapshot.id);
  const rep = shows ? snapshot.keep(key, HTML, Buffer.from(html)) : null;
  if (rep) return sendRepresentation(req, res, rep, { kind: "page", host });
  return send(req, res, 200, html, { "cache-control": "no-cache" });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { "content-type": HTML, "cache-control": "no-store", "content-length": bytes.length, ...headers });
  res.end(req.method === "HEAD" ? undefined : bytes);
}
