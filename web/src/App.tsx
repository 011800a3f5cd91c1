// Routes. The public page uses the anonymous client; everything under /org uses the admin
// client with the session (a new client per session, so no cached data outlives a log-out);
// /graphql and /graphql/public are the GraphQL console.
import { lazy, Suspense, useMemo } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from "react-router";
import { Provider, useQuery } from "urql";
import { createAdminClient, publicClient } from "./client.ts";
import { Dashboard } from "./dashboard/Dashboard.tsx";
import { graphql } from "./gql/index.ts";
import { useTitle } from "./hooks.ts";
import { AcceptInvitation } from "./routes/AcceptInvitation.tsx";
import { LogIn, SignUp } from "./routes/Auth.tsx";
import { IncidentPage } from "./routes/IncidentPage.tsx";
import { NotFound } from "./routes/NotFound.tsx";
import { StatusPage } from "./routes/StatusPage.tsx";
import { ConfirmSubscription, ManageSubscription } from "./routes/Subscription.tsx";
import { useSessionToken } from "./session.ts";

/** Set by the server when this host is a page host (status.acme.com): "/" is that page. */
const ConsolePage = lazy(() => import("./routes/ConsolePage.tsx"));

const PAGE_HOST_SLUG = document.querySelector<HTMLMetaElement>('meta[name="statuspage-slug"]')?.content ?? null;

export function App() {
  const token = useSessionToken();
  const adminClient = useMemo(() => createAdminClient(), [token]);
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/status/:slug" element={<Provider value={publicClient}><StatusPage /></Provider>} />
        <Route path="/status/:slug/incidents/:id" element={<Provider value={publicClient}><IncidentPage /></Provider>} />
        {/* Where the subscription mails lead (fixed paths: api/src/modules/public/page-route.ts). */}
        <Route path="/status/:slug/subscription/confirm" element={<Provider value={publicClient}><ConfirmSubscription /></Provider>} />
        <Route path="/status/:slug/subscription" element={<Provider value={publicClient}><ManageSubscription /></Provider>} />
        {PAGE_HOST_SLUG && <Route path="/" element={<Provider value={publicClient}><StatusPage slug={PAGE_HOST_SLUG} /></Provider>} />}
        {PAGE_HOST_SLUG && <Route path="/incidents/:id" element={<Provider value={publicClient}><IncidentPage slug={PAGE_HOST_SLUG} /></Provider>} />}
        {PAGE_HOST_SLUG && <Route path="/subscription/confirm" element={<Provider value={publicClient}><ConfirmSubscription slug={PAGE_HOST_SLUG} /></Provider>} />}
        {PAGE_HOST_SLUG && <Route path="/subscription" element={<Provider value={publicClient}><ManageSubscription slug={PAGE_HOST_SLUG} /></Provider>} />}
        {/* The server answers a browser opening a GraphQL endpoint with this app (api/src/app.ts). */}
        <Route path="/graphql" element={<Suspense><ConsolePage endpoint="/graphql" /></Suspense>} />
        <Route path="/graphql/public" element={<Suspense><ConsolePage endpoint="/graphql/public" /></Suspense>} />
        <Route path="*" element={<Provider value={adminClient}><SignedInRoutes token={token} /></Provider>} />
      </Routes>
    </BrowserRouter>
  );
}

function SignedInRoutes({ token }: { token: string | null }) {
  return (
    <Routes>
      <Route path="/" element={token ? <Home /> : <Welcome />} />
      <Route path="/login" element={<LogIn />} />
      <Route path="/signup" element={<SignUp />} />
      <Route path="/invitations/accept" element={<AcceptInvitation />} />
      <Route path="/org/:slug/*" element={token ? <Dashboard /> : <RequireSignIn />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

function RequireSignIn() {
  const location = useLocation();
  return <Navigate to="/login" replace state={{ from: location.pathname }} />;
}

function Welcome() {
  useTitle("Status pages");
  return (
    <main className="page narrow">
      <h1>Status pages, live</h1>
      <p>Tell your users what is up — and what is down — the moment it changes.</p>
      <p>
        <Link to="/login">Sign in</Link> · <Link to="/signup">Create an organisation</Link> · <a href="/status/dance">See a demo page</a>
      </p>
    </main>
  );
}

const HOME = graphql(`query Home { viewer { id memberships { role organization { id slug name } } } }`);

function Home() {
  useTitle("Your organisations");
  const [result] = useQuery({ query: HOME });
  const memberships = result.data?.viewer?.memberships ?? [];
  if (memberships.length === 1) return <Navigate to={`/org/${memberships[0]!.organization.slug}`} replace />;
  return (
    <main className="page narrow">
      <h1>Your organisations</h1>
      {result.fetching && <p className="muted">Loading…</p>}
      <ul>
        {memberships.map((m) => (
          <li key={m.organization.id}><Link to={`/org/${m.organization.slug}`}>{m.organization.name}</Link></li>
        ))}
      </ul>
    </main>
  );
}
