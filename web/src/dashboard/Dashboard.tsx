// /org/:slug/… — the signed-in dashboard: navigation, the live organisation stream, and the
// page for the section in the URL. Members see everything but the admin-only pages (not in
// their navigation; at their address a message inside the dashboard); only admins see write
// controls. The top bar's page status follows the same stream as the pages.
import { useEffect, useState } from "react";
import { Link, NavLink, Navigate, Route, Routes, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ConnectionIndicator } from "../components/ConnectionIndicator.tsx";
import { tone } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { useDebounced, useTitle } from "../hooks.ts";
import { NotFound } from "../routes/NotFound.tsx";
import { roleRefusals } from "../refusals.ts";
import { session } from "../session.ts";
import { useLive } from "../use-live.ts";
import { AuditLog } from "./AuditLog.tsx";
import { Console } from "./Console.tsx";
import { Incidents } from "./Incidents.tsx";
import { Maintenance } from "./Maintenance.tsx";
import { Members } from "./Members.tsx";
import { OrgContext, useOrg } from "./org-context.tsx";
import { Services } from "./Services.tsx";
import { Settings } from "./Settings.tsx";
import { Subscribers } from "./Subscribers.tsx";
import { Tokens } from "./Tokens.tsx";
import { Webhooks } from "./Webhooks.tsx";

const ORGANIZATION = graphql(`
  query Organization($slug: String!) {
    viewer { id email name memberships { role organization { id slug name } } }
    organization(slug: $slug) { id slug name status { indicator description } }
  }
`);

const LOG_OUT = graphql(`mutation LogOut { logOut }`);

const ORGANIZATION_EVENTS = `subscription OrganizationEvents($organizationId: ID!, $after: String) {
  organizationEvents(organizationId: $organizationId, after: $after) { cursor kind }
}`;

export function Dashboard() {
  const { slug = "" } = useParams();
  const navigate = useNavigate();
  const [result, reload] = useQuery({ query: ORGANIZATION, variables: { slug } });
  const [, endSession] = useMutation(LOG_OUT);
  const [refreshKey, setRefreshKey] = useState(0);
  const bump = useDebounced(() => setRefreshKey((k) => k + 1), 100);
  const org = result.data?.organization;
  const live = useLive({
    path: "/graphql",
    query: ORGANIZATION_EVENTS,
    variables: { organizationId: org?.id ?? "" },
    field: "organizationEvents",
    enabled: Boolean(org),
    authorization: () => session.authorization,
    onEvent: bump,
    onOpen: (resumed) => resumed && bump(),
    // 4401 (token or session ended) and 4403 (removed from this organisation) both land here.
    onUnauthorized: () => session.end("Your session ended or your access changed: sign in again."),
  });
  useTitle(org ? `${org.name} · dashboard` : "Dashboard");
  // Whatever changed elsewhere (an API token, another admin, the maintenance clock) changes
  // the page status too; a refusal for the viewer's role means the role changed: reload both.
  useEffect(() => {
    if (refreshKey > 0) reload({ requestPolicy: "network-only" });
  }, [refreshKey, reload]);
  useEffect(() => {
    const refused = () => reload({ requestPolicy: "network-only" });
    roleRefusals.addEventListener("forbidden", refused);
    return () => roleRefusals.removeEventListener("forbidden", refused);
  }, [reload]);

  if (result.fetching && !result.data) return <main className="page"><p className="muted">Loading…</p></main>;
  if (!org || !result.data?.viewer) return <NotFound what={`You are not a member of “${slug}”, or it does not exist.`} />;
  const viewer = result.data.viewer;
  const role = viewer.memberships.find((m) => m.organization.id === org.id)?.role ?? "MEMBER";
  const isAdmin = role === "ADMIN";
  // The server ends the session too, so the token is worthless even if it was copied.
  const logOut = async () => {
    await endSession({}).catch(() => {});
    session.end();
    void navigate("/login");
  };

  return (
    <OrgContext.Provider value={{ id: org.id, slug: org.slug, name: org.name, isAdmin, refreshKey }}>
      <div className="dashboard">
        <header className="topbar">
          <Link to={`/org/${org.slug}`} className="brand">
            <span className={`dot dot-${tone(org.status.indicator)}`} aria-hidden="true" /> {org.name}
          </Link>
          <span className="muted small" data-testid="topbar-status">{org.status.description}</span>
          <ConnectionIndicator live={live} />
          <span className="spacer" />
          {viewer.memberships.length > 1 && (
            <select aria-label="Organisation" value={org.slug} onChange={(e) => void navigate(`/org/${e.target.value}`)}>
              {viewer.memberships.map((m) => (
                <option key={m.organization.id} value={m.organization.slug}>{m.organization.name}</option>
              ))}
            </select>
          )}
          <span className="muted small" data-testid="viewer">{viewer.email} · {role === "ADMIN" ? "Admin" : "Member"}</span>
          <a href={`/status/${org.slug}`}>Public page</a>
          <button type="button" className="link-button" onClick={() => void logOut()}>Log out</button>
        </header>
        <nav className="sidenav" aria-label="Sections">
          {[
            ["services", "Services"],
            ["incidents", "Incidents"],
            ["maintenance", "Maintenance"],
            ["members", "Members"],
            ...(isAdmin ? [["tokens", "API tokens"], ["webhooks", "Webhooks"], ["subscribers", "Subscribers"], ["audit", "Audit log"], ["settings", "Settings"], ["console", "Console"]] : []),
          ].map(([path, label]) => (
            <NavLink key={path} to={`/org/${org.slug}/${path}`}>{label}</NavLink>
          ))}
        </nav>
        <main className="content">
          <Routes>
            <Route index element={<Navigate to="services" replace />} />
            <Route path="services" element={<Services />} />
            <Route path="incidents" element={<Incidents />} />
            <Route path="maintenance" element={<Maintenance />} />
            <Route path="members" element={<Members />} />
            <Route path="tokens" element={isAdmin ? <Tokens /> : <AdminsOnly page="API tokens" />} />
            <Route path="webhooks" element={isAdmin ? <Webhooks /> : <AdminsOnly page="Webhooks" />} />
            <Route path="subscribers" element={isAdmin ? <Subscribers /> : <AdminsOnly page="Subscribers" />} />
            <Route path="audit" element={isAdmin ? <AuditLog /> : <AdminsOnly page="Audit log" />} />
            <Route path="console" element={isAdmin ? <Console viewerEmail={viewer.email} /> : <AdminsOnly page="Console" />} />
            <Route path="settings" element={isAdmin ? <Settings /> : <AdminsOnly page="Settings" />} />
            <Route path="*" element={<section><h1>Not found</h1><p>There is no such page in the dashboard.</p><p><Link to={`/org/${org.slug}/services`}>Go to the services</Link></p></section>} />
          </Routes>
        </main>
      </div>
    </OrgContext.Provider>
  );
}

/** An admin-only page at its address, for a member: said inside the dashboard, which stays. */
function AdminsOnly({ page }: { page: string }) {
  const org = useOrg();
  return (
    <section data-testid="admins-only">
      <h1>{page}</h1>
      <p className="notice">
        <strong>Admins only.</strong> Only admins of {org.name} can open this page. As a member you can follow the services, incidents and
        maintenance, but not change them: ask an admin if you need more.
      </p>
      <p><Link to={`/org/${org.slug}/services`}>Go to the services</Link></p>
    </section>
  );
}
