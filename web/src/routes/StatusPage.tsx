// The public status page: everything a visitor may see, live. It reads only the public
// endpoint and reloads its data whenever an event arrives or the stream (re)opens.
import { useEffect, useMemo, useRef } from "react";
import { useTitle } from "../hooks.ts";
import { Link, useParams } from "react-router";
import { ConnectionIndicator } from "../components/ConnectionIndicator.tsx";
import { EmptyPage } from "../components/EmptyPage.tsx";
import { IncidentCard } from "../components/IncidentCard.tsx";
import { SERVICE_STATUS_LABEL, tone } from "../components/status.ts";
import { Time } from "../components/Time.tsx";
import { UptimeBar } from "../components/UptimeBar.tsx";
import type { StatusPageQuery } from "../gql/graphql.ts";
import { STATUS_PAGE } from "../page-queries.ts";
import { usePublicPage } from "../use-public-page.ts";
import { NotFound } from "./NotFound.tsx";
import { SubscribeButton } from "./SubscribeDialog.tsx";
import { useIsPageAdmin } from "./use-page-admin.ts";

type Page = NonNullable<StatusPageQuery["statusPage"]>;

/** `slug` is given on a page host (status.acme.com/), else taken from /status/:slug. */
export function StatusPage(props: { slug?: string }) {
  const params = useParams();
  const slug = props.slug ?? params.slug ?? "";
  const result = usePublicPage("StatusPage", STATUS_PAGE, { slug });
  const { live } = result;
  // While the server is away a reload fails: keep showing what was last known, marked stale.
  const lastGood = useRef<Page | null>(null);
  if (result.data?.statusPage) lastGood.current = result.data.statusPage;
  const page = result.data?.statusPage ?? (result.error ? lastGood.current : null);
  const stale = Boolean(result.error && page);
  useTitle(page ? `${page.status.indicator === "NONE" ? "✓" : "⚠"} ${page.organization.name} status` : "Status");
  useFavicon(page ? tone(page.status.indicator) : "ok");
  const empty = page?.services.length === 0;
  const isAdmin = useIsPageAdmin(slug, empty);

  // The incident pages sit under the page's own address (on a page host, at its root).
  const base = props.slug ? "" : `/status/${slug}`;

  if (result.fetching && !result.data) return <main className="page"><p className="muted">Loading…</p></main>;
  if (result.error && !page) return <main className="page"><p role="alert">The status page could not be loaded: the server cannot be reached. It will retry.</p><ConnectionIndicator live={live} /></main>;
  if (!page) return <NotFound what={`No status page is called “${slug}”.`} />;

  return (
    <main className="page status-page">
      <header className="page-header">
        <h1>{page.organization.name}</h1>
        <span className="page-actions">
          <ConnectionIndicator live={live} />
          <SubscribeButton slug={page.organization.slug} pageName={page.organization.name} services={page.services} />
        </span>
      </header>
      {stale && <p className="notice" role="status">Showing the last known status while the page updates: retrying…</p>}
      {empty && <EmptyPage organizationName={page.organization.name} addServiceHref={isAdmin ? `/org/${page.organization.slug}/services` : null} />}
      {!empty && (
        <section className={`banner banner-${tone(page.status.indicator)}`} aria-label="Overall status">
          <strong data-testid="page-status">{page.status.description}</strong>
          <span className="banner-updated">Updated <Time value={page.status.updatedAt} /></span>
        </section>
      )}
      {page.activeIncidents.length > 0 && (
        <section aria-labelledby="active-incidents">
          <h2 id="active-incidents">Active incidents</h2>
          {page.activeIncidents.map((incident) => <IncidentCard key={incident.id} incident={incident}><IncidentLink base={base} id={incident.id} /></IncidentCard>)}
        </section>
      )}
      <Maintenances page={page} />
      <Services page={page} base={base} />
      {!empty && (
        <section aria-labelledby="recent-incidents">
          <h2 id="recent-incidents">Past incidents (14 days)</h2>
          {page.recentIncidents.length === 0 ? <p className="muted">No incidents in the last 14 days.</p> : page.recentIncidents.map((incident) => <IncidentCard key={incident.id} incident={incident}><IncidentLink base={base} id={incident.id} /></IncidentCard>)}
        </section>
      )}
      <footer className="page-footer muted">
        Follow this page: <a href={`/status/${slug}/feed.atom`}>Atom</a> · <a href={`/status/${slug}/feed.rss`}>RSS</a> ·{" "}
        <a href={`/api/v2/${slug}/summary.json`}>Statuspage JSON</a> · <a href="/graphql/public">GraphQL</a>
      </footer>
    </main>
  );
}

function IncidentLink({ base, id }: { base: string; id: string }) {
  return <p className="small"><Link to={`${base}/incidents/${id}`}>Full timeline</Link></p>;
}

function Services({ page, base }: { page: Page; base: string }) {
  const groups = useMemo(() => {
    const byGroup = new Map<string, Page["services"]>();
    for (const service of page.services) {
      const key = service.group ?? "";
      byGroup.set(key, [...(byGroup.get(key) ?? []), service]);
    }
    return [...byGroup.entries()];
  }, [page.services]);
  const incidents = useMemo(() => [...page.activeIncidents, ...page.incidentHistory], [page.activeIncidents, page.incidentHistory]);
  if (page.services.length === 0) return null;
  // A status set by hand is worth saying where an active incident lists the service (its impact there is not what it shows).
  const inIncident = new Set(page.activeIncidents.flatMap((incident) => incident.affectedServices.map((a) => a.service.id)));
  return (
    <section aria-labelledby="services">
      <h2 id="services">Services</h2>
      {groups.map(([group, services]) => (
        <div key={group} className="service-group">
          {group && <h3>{group}</h3>}
          <ul className="services">
            {services.map((service) => (
              <li key={service.id} className="service" data-testid={`service-${service.name}`}>
                <div className="service-row">
                  <span className="service-name">{service.name}</span>
                  <span>
                    {service.statusSource.kind === "MANUAL" && inIncident.has(service.id) && (
                      <span className="muted small" data-testid="set-by-hand">set by hand </span>
                    )}
                    <span className={`pill pill-${tone(service.status)}`} data-testid="service-status">
                      {SERVICE_STATUS_LABEL[service.status]}
                    </span>
                  </span>
                </div>
                {service.description && <p className="muted small">{service.description}</p>}
                <UptimeBar days={service.uptime} serviceName={service.name} incidents={incidents} incidentHref={(id) => `${base}/incidents/${id}`} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function Maintenances({ page }: { page: Page }) {
  if (page.maintenances.length === 0) return null;
  return (
    <section aria-labelledby="maintenance">
      <h2 id="maintenance">Scheduled maintenance</h2>
      {page.maintenances.map((m) => (
        <article key={m.id} className="card" id={`maintenance-${m.id}`}>
          <h3>
            {m.title} <span className={`pill pill-maintenance`}>{m.status === "IN_PROGRESS" ? "In progress" : "Scheduled"}</span>
          </h3>
          <p className="muted small">
            <Time value={m.scheduledStart} /> – <Time value={m.scheduledEnd} /> · {m.services.map((s) => s.name).join(", ")}
          </p>
          {m.description && <p>{m.description}</p>}
        </article>
      ))}
    </section>
  );
}

const FAVICON_COLOURS = { ok: "#1f9d55", minor: "#d69e2e", major: "#dd6b20", critical: "#c53030", maintenance: "#3182ce" } as const;

/** The tab's icon carries the page's colour, so a pinned tab shows trouble at a glance. */
function useFavicon(level: keyof typeof FAVICON_COLOURS): void {
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>("link[rel=icon]");
    if (!link) return;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="${FAVICON_COLOURS[level]}"/></svg>`;
    link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`;
  }, [level]);
}
