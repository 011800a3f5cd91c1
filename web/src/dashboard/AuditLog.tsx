// The audit log: who did what, newest first, in pages.
import { useState } from "react";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const AUDIT = graphql(`
  query AuditLog($slug: String!, $after: String) {
    organization(slug: $slug) { id auditLog(first: 50, after: $after) { nodes { id action actor targetId createdAt } pageInfo { endCursor hasNextPage } } }
  }
`);

export function AuditLog() {
  const org = useOrg();
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useLiveQuery(AUDIT, { slug: org.slug, after });
  const log = result.data?.organization?.auditLog;
  return (
    <section>
      <h1>Audit log</h1>
      <ErrorMessage error={result.error} />
      <table className="table">
        <thead><tr><th>When</th><th>Who</th><th>What</th><th>Object</th></tr></thead>
        <tbody>
          {log?.nodes.map((entry) => (
            <tr key={entry.id}><td>{formatTime(entry.createdAt)}</td><td>{entry.actor}</td><td>{entry.action}</td><td className="muted small">{entry.targetId}</td></tr>
          ))}
        </tbody>
      </table>
      <div className="buttons">
        {after && <button type="button" className="secondary" onClick={() => setAfter(null)}>Newest</button>}
        {log?.pageInfo.hasNextPage && <button type="button" className="secondary" onClick={() => setAfter(log.pageInfo.endCursor ?? null)}>Older</button>}
      </div>
    </section>
  );
}
