// One incident's own page (/status/:slug/incidents/:id, or /incidents/:id on a page host): its
// whole timeline, live. The shortlinks of summary.json, incidents.json and the feeds lead here.
import { useRef } from "react";
import { Link, useParams } from "react-router";
import { ConnectionIndicator } from "../components/ConnectionIndicator.tsx";
import { IncidentCard } from "../components/IncidentCard.tsx";
import { tone } from "../components/status.ts";
import { Time } from "../components/Time.tsx";
import type { IncidentPageQuery } from "../gql/graphql.ts";
import { useTitle } from "../hooks.ts";
import { INCIDENT_PAGE } from "../page-queries.ts";
import { usePublicPage } from "../use-public-page.ts";
import { NotFound } from "./NotFound.tsx";
import { SubscribeButton } from "./SubscribeDialog.tsx";

type Page = NonNullable<IncidentPageQuery["statusPage"]>;

/** `slug` is given on a page host, else taken from the path. */
export function IncidentPage(props: { slug?: string }) {
  const params = useParams();
  const slug = props.slug ?? params.slug ?? "";
  const id = params.id ?? "";
  const result = usePublicPage("IncidentPage", INCIDENT_PAGE, { slug, id });
  const lastGood = useRef<Page | null>(null);
  if (result.data?.statusPage?.incident) lastGood.current = result.data.statusPage;
  const page = result.data?.statusPage ?? (result.error ? lastGood.current : null);
  const incident = page?.incident ?? null;
  const stale = Boolean(result.error && page);
  useTitle(page && incident ? `${incident.title} · ${page.organization.name} status` : "Incident");
  const pageUrl = props.slug ? "/" : `/status/${slug}`;

  if (result.invalid) return <NotFound what="There is no such incident." />;
  if (result.fetching && !result.data) return <main className="page"><p className="muted">Loading…</p></main>;
  if (result.error && !page) return <main className="page"><p role="alert">The incident could not be loaded: the server cannot be reached. It will retry.</p><ConnectionIndicator live={result.live} /></main>;
  if (!page) return <NotFound what={`No status page is called “${slug}”.`} />;
  if (!incident) return <NotFound what={`${page.organization.name} has no such incident.`} />;

  return (
    <main className="page status-page incident-page">
      <header className="page-header">
        <h1>{page.organization.name}</h1>
        <span className="page-actions">
          <ConnectionIndicator live={result.live} />
          {/* Someone who arrived from a shared link to the incident wants its next update too. */}
          <SubscribeButton slug={page.organization.slug} pageName={page.organization.name} services={page.services} />
        </span>
      </header>
      <p><Link to={pageUrl}>← All of {page.organization.name}’s status</Link></p>
      {stale && <p className="notice" role="status">Showing the last known timeline while the page updates: retrying…</p>}
      <section className={`banner banner-${tone(page.status.indicator)}`} aria-label="Overall status">
        <strong data-testid="page-status">{page.status.description}</strong>
      </section>
      <section aria-labelledby="incident">
        <h2 id="incident">Incident</h2>
        <IncidentCard incident={incident}>
          <p className="muted small" data-testid="incident-times">
            Opened <Time value={incident.createdAt} />
            {incident.resolvedAt ? <> · resolved <Time value={incident.resolvedAt} /></> : null}
          </p>
        </IncidentCard>
      </section>
    </main>
  );
}
