// The public status page: everything a visitor may see, live. It reads only the public
// endpoint and reloads its data whenever an event arrives or the stream (re)opens.
import { useEffect, useMemo, useRef } from "react";
import { useDebounced, useTitle } from "../hooks.ts";
import { useParams } from "react-router";
import { useQuery } from "urql";
import { ConnectionIndicator } from "../components/ConnectionIndicator.tsx";
import { IncidentCard } from "../components/IncidentCard.tsx";
import { formatTime, SERVICE_STATUS_LABEL, tone } from "../components/status.ts";
import { UptimeBar } from "../components/UptimeBar.tsx";
import { graphql } from "../gql/index.ts";
import type { StatusPageQuery } from "../gql/graphql.ts";
import { useLive } from "../use-live.ts";
import { NotFound } from "./NotFound.tsx";

export const STATUS_PAGE = graphql(`
  query StatusPage($slug: String!) {
    statusPage(slug: $slug) {
      organization { slug name }
      status { indicator description updatedAt }
      services { id name description group status statusSince statusSource { kind } uptime(days: 90) { date operationalRatio worstStatus } }
      activeIncidents { ...PublicIncident }
      recentIncidents(days: 14) { ...PublicIncident }
      maintenances { id title description status scheduledStart scheduledEnd services { id name } }
    }
  }
  fragment PublicIncident on Incident {
    id title status createdAt resolvedAt
    affectedServices { service { id name status statusSource { kind } } toStatus }
    updates { id status message createdAt }
  }
`);

export const STATUS_PAGE_EVENTS = `subscription StatusPageEvents($slug: String!, $after: String) {
  statusPageEvents(slug: $slug, after: $after) { cursor kind }
}`;

type Page = NonNullable<StatusPageQuery["statusPage"]>;

/** `slug` is given on a page host (status.acme.com/), else taken from /status/:slug. */
export function StatusPage(props: { slug?: string }) {
  const params = useParams();
  const slug = props.slug ?? params.slug ?? "";
  const [result, reexecute] = useQuery({ query: STATUS_PAGE, variables: { slug } });
  const refresh = useDebounced(() => reexecute({ requestPolicy: "network-only" }), 150);
  const live = useLive({
    path: "/graphql/public",
    query: STATUS_PAGE_EVENTS,
    variables: { slug },
    field: "statusPageEvents",
    onEvent: refresh,
    onOpen: refresh,
  });
  useConvergence(result, reexecute);
  // While the server is away a reload fails: keep showing what was last known, marked stale.
  const lastGood = useRef<Page | null>(null);
  if (result.data?.statusPage) lastGood.current = result.data.statusPage;
  const page = result.data?.statusPage ?? (result.error ? lastGood.current : null);
  const stale = Boolean(result.error && page);
  useTitle(page ? `${page.status.indicator === "NONE" ? "✓" : "⚠"} ${page.organization.name} status` : "Status");
  useFavicon(page ? tone(page.status.indicator) : "ok");

  if (result.fetching && !result.data) return <main className="page"><p className="muted">Loading…</p></main>;
  if (result.error && !page) return <main className="page"><p role="alert">The status page could not be loaded: the server cannot be reached. It will retry.</p><ConnectionIndicator live={live} /></main>;
  if (!page) return <NotFound what={`No status page is called “${slug}”.`} />;

  return (
    <main className="page status-page">
      <header className="page-header">
        <h1>{page.organization.name}</h1>
        <ConnectionIndicator live={live} />
      </header>
      {stale && <p className="notice" role="status">Showing the last known status while the page updates: retrying…</p>}
      <section className={`banner banner-${tone(page.status.indicator)}`} aria-label="Overall status">
        <strong data-testid="page-status">{page.status.description}</strong>
        <span className="muted">Updated {formatTime(page.status.updatedAt)}</span>
      </section>
      {page.activeIncidents.length > 0 && (
        <section aria-labelledby="active-incidents">
          <h2 id="active-incidents">Active incidents</h2>
          {page.activeIncidents.map((incident) => <IncidentCard key={incident.id} incident={incident} />)}
        </section>
      )}
      <Maintenances page={page} />
      <Services page={page} />
      <section aria-labelledby="recent-incidents">
        <h2 id="recent-incidents">Past incidents (14 days)</h2>
        {page.recentIncidents.length === 0 ? <p className="muted">No incidents in the last 14 days.</p> : page.recentIncidents.map((incident) => <IncidentCard key={incident.id} incident={incident} />)}
      </section>
      <footer className="page-footer muted">
        Follow this page: <a href={`/status/${slug}/feed.atom`}>Atom</a> · <a href={`/status/${slug}/feed.rss`}>RSS</a> ·{" "}
        <a href={`/api/v2/${slug}/summary.json`}>Statuspage JSON</a> · <a href="/graphql/public">GraphQL</a>
      </footer>
    </main>
  );
}

function Services({ page }: { page: Page }) {
  const groups = useMemo(() => {
    const byGroup = new Map<string, Page["services"]>();
    for (const service of page.services) {
      const key = service.group ?? "";
      byGroup.set(key, [...(byGroup.get(key) ?? []), service]);
    }
    return [...byGroup.entries()];
  }, [page.services]);
  // A status set by hand is worth saying where an active incident lists the service (its impact there is not what it shows).
  const inIncident = new Set(page.activeIncidents.flatMap((incident) => incident.affectedServices.map((a) => a.service.id)));
  return (
    <section aria-labelledby="services">
      <h2 id="services">Services</h2>
      {page.services.length === 0 && <p className="muted">No services yet.</p>}
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
                <UptimeBar days={service.uptime} />
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
        <article key={m.id} className="card">
          <h3>
            {m.title} <span className={`pill pill-maintenance`}>{m.status === "IN_PROGRESS" ? "In progress" : "Scheduled"}</span>
          </h3>
          <p className="muted small">
            {formatTime(m.scheduledStart)} – {formatTime(m.scheduledEnd)} · {m.services.map((s) => s.name).join(", ")}
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

/**
 * A viewer always converges to the current page: a load that failed (the server busy with 429,
 * a dropped connection, a restart) is tried again with backoff and jitter (0.5 s doubling to 10 s)
 * until one succeeds; meanwhile the last good page stays up, marked as updating.
 */
function useConvergence(result: { error?: unknown; fetching: boolean }, reexecute: (opts: { requestPolicy: "network-only" }) => void): void {
  const failures = useRef(0);
  const failed = Boolean(result.error) && !result.fetching;
  useEffect(() => {
    if (!failed) {
      if (!result.fetching) failures.current = 0;
      return;
    }
    const delay = Math.min(10_000, 500 * 2 ** failures.current) * (0.8 + Math.random() * 0.4);
    failures.current += 1;
    const timer = setTimeout(() => reexecute({ requestPolicy: "network-only" }), delay);
    return () => clearTimeout(timer);
  }, [failed, result.fetching, reexecute]);
}
