// /org/:slug/… — the signed-in dashboard: navigation, the live organisation stream, and the
// page for the section in the URL. Members see everything; only admins see write controls.
import { useState } from "react";
import { Link, NavLink, Navigate, Route, Routes, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ConnectionIndicator } from "../components/ConnectionIndicator.tsx";
import { tone } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { useDebounced, useTitle } from "../hooks.ts";
import { NotFound } from "../routes/NotFound.tsx";
import { session } from "../session.ts";
import { useLive } from "../use-live.ts";
import { AuditLog } from "./AuditLog.tsx";
import { Console } from "./Console.tsx";
import { Incidents } from "./Incidents.tsx";
import { Maintenance } from "./Maintenance.tsx";
import { Members } from "./Members.tsx";
import { OrgContext } from "./org-context.tsx";
import { Services } from "./Services.tsx";
import { Settings } from "./Settings.tsx";
import { Tokens } from "./Tokens.tsx";

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
  const [result] = useQuery({ query: ORGANIZATION, variables: { slug } });
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
          <span className="muted small">{org.status.description}</span>
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
            ...(isAdmin ? [["tokens", "API tokens"], ["audit", "Audit log"], ["settings", "Settings"], ["console", "Console"]] : []),
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
            <Route path="tokens" element={isAdmin ? <Tokens /> : <NotFound />} />
            <Route path="audit" element={isAdmin ? <AuditLog /> : <NotFound />} />
            <Route path="console" element={isAdmin ? <Console viewerEmail={viewer.email} /> : <NotFound />} />
            <Route path="settings" element={isAdmin ? <Settings /> : <NotFound />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </main>
      </div>
    </OrgContext.Provider>
  );
}
