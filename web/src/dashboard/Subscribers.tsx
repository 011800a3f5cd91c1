// Email subscribers (admins): who gets the page's mails, about which services, confirmed or still
// pending (or stopped after failing mails, and why); removing one (asked first); the whole list
// as CSV; 50 a page. The CSV comes from the API's authenticated HTTP endpoint: fetched with the
// session, then saved from a blob, so the token never travels in an address.
import { useState } from "react";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { session } from "../session.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const SUBSCRIBERS = graphql(`
  query Subscribers($slug: String!, $after: String) {
    organization(slug: $slug) {
      id
      subscribers(first: 50, after: $after) {
        totalCount
        edges { node { id email services { id name } confirmedAt disabledReason createdAt } }
        pageInfo { endCursor hasNextPage }
      }
    }
  }
`);
const REMOVE = graphql(`mutation RemoveSubscriber($id: ID!) { removeSubscriber(id: $id) }`);

/** The API's CSV export of an organisation's subscribers (api/src/modules/subscribers/http.ts). */
export const subscribersCsvPath = (org: { id: string }) => `/api/admin/organizations/${encodeURIComponent(org.id)}/subscribers.csv`;

export function Subscribers() {
  const org = useOrg();
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const after = cursors.at(-1) ?? null;
  const [result, reload] = useLiveQuery(SUBSCRIBERS, { slug: org.slug, after });
  const [removeState, remove] = useMutation(REMOVE);
  const list = result.data?.organization?.subscribers;
  const publicPage = `/status/${org.slug}`;

  const removeOne = async (id: string, email: string) => {
    if (!window.confirm(`Remove ${email}? No more mail goes to this address unless it subscribes again.`)) return;
    const removed = await remove({ id });
    if (!removed.error) {
      // The last one of a later page: back to the page before.
      if (list?.edges.length === 1 && cursors.length > 0) setCursors(cursors.slice(0, -1));
      else reload({ requestPolicy: "network-only" });
    }
  };

  return (
    <section>
      <h1>Subscribers</h1>
      <p className="muted">
        Visitors subscribe on the <a href={publicPage}>public status page</a> and confirm from a mail. Confirmed subscribers are emailed when
        an incident or maintenance touches the services they chose.
      </p>
      <ErrorMessage error={result.error} />
      <ErrorMessage error={removeState.error} />
      {list && list.totalCount === 0 && (
        <div className="card empty-state" data-testid="subscribers-empty">
          <h2>No subscribers yet</h2>
          <p>
            Anyone can subscribe with the Subscribe button on your <a href={publicPage}>public status page</a>: they give an address and
            choose all services or some, then confirm from the mail they get. Share the page to let people know.
          </p>
        </div>
      )}
      {list && list.totalCount > 0 && (
        <>
          <div className="row-main">
            <p data-testid="subscriber-count">
              <strong>{list.totalCount}</strong> {list.totalCount === 1 ? "subscriber" : "subscribers"}
            </p>
            <ExportCsv org={org} />
          </div>
          <div className="table-scroll">
            <table className="table">
              <caption className="visually-hidden">Email subscribers</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Services</th>
                  <th scope="col">State</th>
                  <th scope="col">Subscribed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.edges.map(({ node: s }) => (
                  <tr key={s.id} data-testid="subscriber">
                    <td className="subscriber-email">{s.email}</td>
                    <td>{s.services.length === 0 ? "All services" : s.services.map((service) => service.name).join(", ")}</td>
                    <td>
                      {s.disabledReason ? (
                        <>
                          <span className="pill pill-critical">Stopped</span> <span className="small">{s.disabledReason}</span>
                        </>
                      ) : s.confirmedAt ? (
                        <span className="pill pill-ok">Confirmed</span>
                      ) : (
                        <span className="pill" title="The confirmation link has not been opened yet">
                          Pending
                        </span>
                      )}
                    </td>
                    <td>{formatTime(s.createdAt)}</td>
                    <td>
                      <button type="button" className="link-button" aria-label={`Remove ${s.email}`} disabled={removeState.fetching} onClick={() => void removeOne(s.id, s.email)}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="buttons">
            {cursors.length > 0 && (
              <button type="button" className="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous
              </button>
            )}
            {list.pageInfo.hasNextPage && (
              <button type="button" className="secondary" onClick={() => setCursors([...cursors, list.pageInfo.endCursor ?? null])}>
                Next
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** A download through fetch: the endpoint wants the session's Authorization header, which a plain link cannot send. */
function ExportCsv({ org }: { org: { id: string; slug: string } }) {
  const [state, setState] = useState<"idle" | "working" | "failed">("idle");
  const download = async () => {
    setState("working");
    try {
      const response = await fetch(subscribersCsvPath(org), { headers: session.authorization ? { authorization: session.authorization } : {} });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = `${org.slug}-subscribers.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <span>
      <button type="button" className="secondary" disabled={state === "working"} onClick={() => void download()}>
        {state === "working" ? "Exporting…" : "Export CSV"}
      </button>
      {state === "failed" && (
        <span className="error small" role="alert">
          {" "}
          The export could not be downloaded. Try again.
        </span>
      )}
    </span>
  );
}
