// The first HTML of the public pages, rendered on the server from the answer to the page's own
// query (page-request.ts): readable without JavaScript — overall status, services with their
// status and uptime, active incidents with their latest update, maintenance, recent incidents,
// and an incident's whole timeline on its page — and carrying that answer in a JSON data block
// the app reads instead of fetching it (web/src/first-view.ts). The app then renders its own view
// in place of this markup (createRoot), so this is kept plain: the same words and CSS classes,
// times in UTC with the zone named. Built once per page version (page-route.ts). docs/adr/0016.
import type { IncidentPageQuery, StatusPageQuery } from "../../../../web/src/gql/graphql.ts";
import { INCIDENT_STATUS_LABEL, SERVICE_STATUS_LABEL, tone } from "../../../../web/src/components/status.ts";
import { html, jsonForScript, type Html } from "../../lib/html.ts";
import type { PageOperation } from "./page-request.ts";

type Page = NonNullable<StatusPageQuery["statusPage"]>;
type Incident = Page["activeIncidents"][number];

/** Without a built web app: a shell of our own, so the page still reads without JavaScript. */
export const FALLBACK_SHELL = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Status</title>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

/** The app's index.html, cut once where a page's title, head additions and body go. */
export class PageShell {
  private readonly parts: [string, string, string, string];

  constructor(shellHtml: string) {
    // Each page says what it is about itself (headFor).
    const index = shellHtml.replace(/<meta name="description"[^>]*>\s*/, "");
    const title = /<title>[^<]*<\/title>/.exec(index);
    const beforeTitle = title ? index.slice(0, title.index) : index.slice(0, index.indexOf("</head>"));
    const afterTitle = title ? index.slice(title.index + title[0].length) : index.slice(index.indexOf("</head>"));
    const headEnd = afterTitle.indexOf("</head>");
    const root = /<div id="root">\s*<\/div>/.exec(afterTitle);
    const bodyAt = root ? root.index : afterTitle.lastIndexOf("</body>");
    const bodyEnd = root ? root.index + root[0].length : bodyAt;
    this.parts = [beforeTitle, afterTitle.slice(0, headEnd), afterTitle.slice(headEnd, bodyAt), afterTitle.slice(bodyEnd)];
  }

  render(page: { title: string; head?: Html; body: Html; state?: Html }): string {
    const [start, head, middle, end] = this.parts;
    return `${start}${html`<title>${page.title}</title>`.text}${head}${page.head?.text ?? ""}${middle}${html`<div id="root">${page.body}</div>${page.state ?? ""}`.text}${end}`;
  }
}

export interface PageLinks {
  /** The page's address on this host: `/status/<slug>`, or "" on a page host (its root). */
  base: string;
  slug: string;
  onPageHost: boolean;
}

/** The embedded answer: operation, variables and the answer's JSON bytes exactly as served. */
export function stateScript(operation: PageOperation, variables: Record<string, string>, answer: string): Html {
  const json = `{"operation":${JSON.stringify(operation)},"variables":${JSON.stringify(variables)},"result":${answer}}`;
  return html`<script type="application/json" id="statuspage-state">${jsonForScript(json)}</script>`;
}

/** On a page host the app learns its slug from this tag (web/src/App.tsx). */
function headFor(links: PageLinks, description: string): Html {
  return html`<meta name="description" content="${description}" />${links.onPageHost ? html`<meta name="statuspage-slug" content="${links.slug}" />` : ""}`;
}

export function statusPageHtml(shell: PageShell, page: Page, links: PageLinks, state: Html): string {
  const body = html`<main class="page status-page">
<header class="page-header"><h1>${page.organization.name}</h1></header>
${banner(page.status)}
${page.activeIncidents.length > 0 && html`<section aria-labelledby="active-incidents"><h2 id="active-incidents">Active incidents</h2>${page.activeIncidents.map((i) => incidentCard(i, links, "latest"))}</section>`}
${maintenances(page.maintenances)}
${services(page.services)}
<section aria-labelledby="recent-incidents"><h2 id="recent-incidents">Past incidents (14 days)</h2>${
    page.recentIncidents.length === 0 ? html`<p class="muted">No incidents in the last 14 days.</p>` : page.recentIncidents.map((i) => incidentCard(i, links, "latest"))
  }</section>
<footer class="page-footer muted">Follow this page: <a href="${links.base}/feed.atom">Atom</a> · <a href="${links.base}/feed.rss">RSS</a> · <a href="${links.onPageHost ? "/api/v2/summary.json" : `/api/v2/${links.slug}/summary.json`}">Statuspage JSON</a> · <a href="/graphql/public">GraphQL</a></footer>
</main>`;
  const title = `${page.status.indicator === "NONE" ? "✓" : "⚠"} ${page.organization.name} status`;
  return shell.render({ title, head: headFor(links, `${page.organization.name}: ${page.status.description}`), body, state });
}

type IncidentPage = NonNullable<IncidentPageQuery["statusPage"]>;

export function incidentPageHtml(shell: PageShell, page: IncidentPage & { incident: NonNullable<IncidentPage["incident"]> }, links: PageLinks, state: Html): string {
  const { incident } = page;
  const body = html`<main class="page status-page incident-page">
<header class="page-header"><h1>${page.organization.name}</h1></header>
<p><a href="${links.base || "/"}">← All of ${page.organization.name}’s status</a></p>
${banner(page.status)}
<section aria-labelledby="incident"><h2 id="incident">Incident</h2>${incidentCard(incident, links, "whole")}</section>
</main>`;
  return shell.render({ title: `${incident.title} · ${page.organization.name} status`, head: headFor(links, `${incident.title}: ${INCIDENT_STATUS_LABEL[incident.status] ?? incident.status}`), body, state });
}

/** A 404 people can read; `state` (the answer that says so) spares the app a fetch. */
export function notFoundHtml(shell: PageShell, what: string, state?: Html): string {
  const body = html`<main class="page narrow"><h1>Not found</h1><p>${what}</p><p><a href="/">Go to the start page</a></p></main>`;
  return shell.render({ title: "Not found", body, state });
}

/** The page could not be read (the database is away): say so; the app retries on its own. */
export function unavailableHtml(shell: PageShell): string {
  const body = html`<main class="page"><p role="alert">The status page could not be loaded: the server is busy or cannot reach its data. It will retry.</p></main>`;
  return shell.render({ title: "Status", body });
}

function banner(status: Page["status"]): Html {
  return html`<section class="banner banner-${tone(status.indicator)}" aria-label="Overall status"><strong data-testid="page-status">${status.description}</strong> <span class="muted">Updated ${utc(status.updatedAt)}</span></section>`;
}

function services(list: Page["services"]): Html {
  const groups = new Map<string, Page["services"]>();
  for (const service of list) groups.set(service.group ?? "", [...(groups.get(service.group ?? "") ?? []), service]);
  return html`<section aria-labelledby="services"><h2 id="services">Services</h2>${list.length === 0 && html`<p class="muted">No services yet.</p>`}${[...groups].map(
    ([group, members]) => html`<div class="service-group">${group && html`<h3>${group}</h3>`}<ul class="services">${members.map(service)}</ul></div>`,
  )}</section>`;
}

function service(s: Page["services"][number]): Html {
  const days = s.uptime;
  const uptime = days.length ? (days.reduce((sum, d) => sum + d.operationalRatio, 0) / days.length) * 100 : null;
  return html`<li class="service" data-testid="service-${s.name}"><div class="service-row"><span class="service-name">${s.name}</span> <span class="pill pill-${tone(s.status)}" data-testid="service-status">${SERVICE_STATUS_LABEL[s.status] ?? s.status}</span></div>${
    s.description && html`<p class="muted small">${s.description}</p>`
  }${uptime !== null && html`<p class="muted small">${uptime.toFixed(2)}% uptime over the last ${days.length} ${days.length === 1 ? "day" : "days"}</p>`}</li>`;
}

function maintenances(list: Page["maintenances"]): Html {
  if (list.length === 0) return html``;
  return html`<section aria-labelledby="maintenance"><h2 id="maintenance">Scheduled maintenance</h2>${list.map(
    (m) =>
      html`<article class="card" id="maintenance-${m.id}"><h3>${m.title} <span class="pill pill-maintenance">${m.status === "IN_PROGRESS" ? "In progress" : "Scheduled"}</span></h3><p class="muted small">${utc(m.scheduledStart)} – ${utc(m.scheduledEnd)} · ${m.services.map((s) => s.name).join(", ")}</p>${
        m.description && html`<p>${m.description}</p>`
      }</article>`,
  )}</section>`;
}

/** On the status page the latest update (and a link to the whole timeline); on its own page every update, newest first. */
function incidentCard(incident: Incident, links: PageLinks, timeline: "latest" | "whole"): Html {
  const worst = incident.affectedServices[0]?.toStatus ?? "OPERATIONAL";
  const updates = [...incident.updates].reverse();
  const shown = timeline === "whole" ? updates : updates.slice(0, 1);
  return html`<article class="card incident incident-${incident.resolvedAt ? "resolved" : tone(worst)}" data-testid="incident-${incident.title}"><h3>${
    timeline === "latest" ? html`<a href="${links.base}/incidents/${incident.id}">${incident.title}</a>` : incident.title
  } <span class="pill">${INCIDENT_STATUS_LABEL[incident.status] ?? incident.status}</span></h3><p class="muted small">Affects ${incident.affectedServices
    .map((a) => `${a.service.name} (${(SERVICE_STATUS_LABEL[a.toStatus] ?? a.toStatus).toLowerCase()})`)
    .join(", ")}</p><ol class="timeline">${shown.map(
    (u) => html`<li><strong>${INCIDENT_STATUS_LABEL[u.status] ?? u.status}</strong> — ${u.message}<div class="muted small">${utc(u.createdAt)}</div></li>`,
  )}</ol>${
    timeline === "whole"
      ? html`<p class="muted small" data-testid="incident-times">Opened ${utc(incident.createdAt)}${incident.resolvedAt ? ` · resolved ${utc(incident.resolvedAt)}` : ""}</p>`
      : updates.length > 1 && html`<p class="small"><a href="${links.base}/incidents/${incident.id}">Full timeline (${updates.length} updates)</a></p>`
  }</article>`;
}

/** "2 Dec 2026, 14:25 UTC": the server does not know the viewer's zone, so it names its own. */
function utc(iso: string): string {
  return `${new Date(iso).toLocaleString("en-GB", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" })} UTC`;
}
