// The GraphQL console: GraphiQL 5 (docs explorer, history, completion and validation against
// the schema, Monaco editors) bundled from the product's own assets. This module is loaded
// lazily (LazyConsole.tsx): the public page and the rest of the dashboard never download it.
// Its Monaco workers are files of this build (graphiql/setup-workers/vite), its fonts data: URLs
// of its stylesheet, so the console works offline under the app's CSP (docs/adr/0017).
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createLocalStorage } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { useEffect, useMemo, useRef, useState } from "react";
import { adminExamples, publicExamples, type ExampleOrganization } from "./examples.ts";
import { createConsoleFetcher } from "./fetcher.ts";

export interface GraphqlConsoleProps {
  endpoint: "/graphql" | "/graphql/public";
  /**
   * The signed-in session's Authorization header, read on every operation (a stable function);
   * absent on the public endpoint, which is anonymous by definition.
   */
  session?: () => string | null;
  /** Who the session is (an email), for the line above the editor; null when signed out. */
  sessionLabel?: string | null;
  /** The organisation the example tabs name (admin console); null when none is known. */
  organization?: ExampleOrganization | null;
  /** The status page the public console's examples read; null for a placeholder. */
  slug?: string | null;
}

/** A pasted token becomes an Authorization header; "Bearer " is optional when pasting. */
function asAuthorization(pasted: string): string | null {
  const token = pasted.trim();
  if (!token) return null;
  return /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
}

export default function GraphqlConsole({ endpoint, session, sessionLabel = null, organization = null, slug = null }: GraphqlConsoleProps) {
  const isPublic = endpoint === "/graphql/public";
  const examples = useMemo(() => (isPublic ? publicExamples(slug) : adminExamples(organization)), [isPublic, slug, organization]);
  // Saved tabs and history are kept apart per endpoint and organisation.
  const storageKey = isPublic ? "public" : `admin.${organization?.id ?? "none"}`;
  const [pasted, setPasted] = useState("");
  const pastedRef = useRef(pasted);
  pastedRef.current = pasted;
  const connection = useMemo(
    () => createConsoleFetcher(endpoint, () => (session ? (asAuthorization(pastedRef.current) ?? session()) : null)),
    [endpoint, session],
  );
  useEffect(() => () => connection.dispose(), [connection]);
  const storage = useMemo(() => createLocalStorage({ namespace: `statuspage.console.${storageKey}` }), [storageKey]);
  const identity = pasted.trim() ? "the pasted API token" : sessionLabel ? sessionLabel : "anonymous (sign in, or paste an API token)";

  return (
    <div className="graphql-console">
      <div className="console-bar" role="group" aria-label="Who the console runs as">
        {session ? (
          <>
            <span data-testid="console-identity">
              Runs as <strong>{identity}</strong> on <code>{endpoint}</code>
            </span>
            <label>
              API token <input type="password" autoComplete="off" spellCheck={false} placeholder="sp_… (optional: run as a token instead)" value={pasted} onChange={(e) => setPasted(e.target.value)} />
            </label>
          </>
        ) : (
          <span data-testid="console-identity">
            Anonymous, on the public API <code>{endpoint}</code>: what anyone may read of a status page.
          </span>
        )}
      </div>
      <div className="graphiql-frame">
        <GraphiQL fetcher={connection.fetcher} defaultTabs={examples} storage={storage} defaultEditorToolsVisibility="variables" />
      </div>
    </div>
  );
}
