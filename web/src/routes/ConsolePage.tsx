// /graphql and /graphql/public opened in a browser (the server answers a GET that accepts
// text/html with this app, api/src/app.ts): the same bundled console as the dashboard's, full
// screen. On /graphql it runs as the signed-in user when this browser has a session (the same
// origin, so the same stored session), else anonymously or as a pasted API token; its examples
// name the viewer's organisation (?org=<slug> picks one). /graphql/public is anonymous.
// Loaded lazily by App.tsx, like the console itself.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { ExampleOrganization } from "../console/examples.ts";
import { LazyConsole } from "../console/LazyConsole.tsx";
import { useTitle } from "../hooks.ts";
import { session, useSessionToken } from "../session.ts";

const VIEWER = `query ConsoleViewer { viewer { email memberships { organization { id slug name } } } }`;

interface ConsoleViewer {
  email: string;
  memberships: { organization: ExampleOrganization }[];
}

const sessionAuthorization = () => session.authorization;

/** The signed-in viewer (null when signed out or the session is no longer valid); undefined while asking. */
function useViewer(token: string | null): ConsoleViewer | null | undefined {
  const [viewer, setViewer] = useState<ConsoleViewer | null | undefined>(token ? undefined : null);
  useEffect(() => {
    if (!token) return setViewer(null);
    let current = true;
    setViewer(undefined);
    fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VIEWER }),
    })
      .then((response) => response.json() as Promise<{ data?: { viewer: ConsoleViewer | null }; errors?: { extensions?: { code?: string } }[] }>)
      .then((body) => {
        if (body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED")) session.end("Your session has expired: sign in again.");
        if (current) setViewer(body.data?.viewer ?? null);
      })
      .catch(() => current && setViewer(null));
    return () => void (current = false);
  }, [token]);
  return viewer;
}

export default function ConsolePage({ endpoint }: { endpoint: "/graphql" | "/graphql/public" }) {
  const isPublic = endpoint === "/graphql/public";
  useTitle(isPublic ? "Public GraphQL console" : "GraphQL console");
  const token = useSessionToken();
  const viewer = useViewer(isPublic ? null : token);
  const params = new URLSearchParams(window.location.search);
  const memberships = viewer?.memberships ?? [];
  const org = memberships.find((m) => m.organization.slug === params.get("org"))?.organization ?? memberships[0]?.organization ?? null;
  const slug = params.get("slug");

  return (
    <div className="console-page">
      <header className="topbar">
        <Link to="/" className="brand">Status</Link>
        <strong>{isPublic ? "Public GraphQL console" : "GraphQL console"}</strong>
        <span className="spacer" />
        {isPublic ? (
          <a href="/graphql">Admin console (/graphql)</a>
        ) : (
          <>
            {viewer ? (
              <span className="muted small">Signed in as {viewer.email}{org ? ` · examples for ${org.name}` : ""}</span>
            ) : viewer === null ? (
              <Link to="/login">Sign in</Link>
            ) : null}
            {org && <Link to={`/org/${org.slug}/console`}>Dashboard</Link>}
            <a href="/graphql/public">Public API console</a>
          </>
        )}
      </header>
      {viewer === undefined ? (
        <p className="muted page">Loading…</p>
      ) : (
        // Re-mounted per organisation so its example tabs and saved state are its own.
        <LazyConsole
          key={org?.id ?? "none"}
          endpoint={endpoint}
          {...(isPublic ? {} : { session: sessionAuthorization, sessionLabel: viewer?.email ?? null })}
          organization={org}
          slug={slug}
        />
      )}
    </div>
  );
}
