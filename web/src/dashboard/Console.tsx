// A GraphQL console that runs as the signed-in admin: the session token is added to every
// request, so nobody pastes tokens by hand. (GraphiQL with introspection stays at /graphql.)
import { useState } from "react";
import { session } from "../session.ts";
import { useOrg } from "./org-context.tsx";

export function Console() {
  const org = useOrg();
  const [query, setQuery] = useState(`query {\n  organization(slug: "${org.slug}") {\n    name\n    status { indicator description }\n    services { name status }\n  }\n}`);
  const [variables, setVariables] = useState("{}");
  const [output, setOutput] = useState("");
  const [running, setRunning] = useState(false);
  const run = async () => {
    setRunning(true);
    try {
      const parsed: unknown = variables.trim() ? JSON.parse(variables) : {};
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: session.authorization ?? "" },
        body: JSON.stringify({ query, variables: parsed }),
      });
      setOutput(JSON.stringify(await response.json(), null, 2));
    } catch (error) {
      setOutput(error instanceof SyntaxError ? `Variables are not valid JSON: ${error.message}` : String(error));
    } finally {
      setRunning(false);
    }
  };
  return (
    <section className="console">
      <h1>Console</h1>
      <p className="muted small">Runs against /graphql as you. The full schema browser is <a href="/graphql">GraphiQL</a>.</p>
      <label>Query <textarea value={query} onChange={(e) => setQuery(e.target.value)} rows={12} spellCheck={false} className="code" /></label>
      <label>Variables (JSON) <textarea value={variables} onChange={(e) => setVariables(e.target.value)} rows={3} spellCheck={false} className="code" /></label>
      <button type="button" onClick={() => void run()} disabled={running}>{running ? "Running…" : "Run (as you)"}</button>
      <pre className="code output" aria-label="Result">{output}</pre>
    </section>
  );
}
