// The dashboard's GraphQL console: GraphiQL on /graphql running as the signed-in admin (the
// session token is added to every request and to the subscription socket), or as an API token
// pasted above it; its example tabs name this organisation.
import { useMemo } from "react";
import { LazyConsole } from "../console/LazyConsole.tsx";
import { useTitle } from "../hooks.ts";
import { session } from "../session.ts";
import { useOrg } from "./org-context.tsx";

const sessionAuthorization = () => session.authorization;

export function Console({ viewerEmail }: { viewerEmail: string }) {
  const org = useOrg();
  useTitle(`Console · ${org.name}`);
  const organization = useMemo(() => ({ id: org.id, slug: org.slug, name: org.name }), [org.id, org.slug, org.name]);
  return (
    <section className="console" aria-label="GraphQL console">
      <h1>Console</h1>
      <p className="muted small">
        GraphiQL on <code>/graphql</code>: the docs explorer (book icon), history, completion with Ctrl-Space; subscriptions run over
        WebSocket. The public, anonymous API has its own console at <a href={`/graphql/public?slug=${encodeURIComponent(org.slug)}`}>/graphql/public</a>.
      </p>
      <LazyConsole endpoint="/graphql" session={sessionAuthorization} sessionLabel={viewerEmail} organization={organization} />
    </section>
  );
}
