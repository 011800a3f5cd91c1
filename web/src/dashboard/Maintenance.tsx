// Maintenance windows: upcoming and in progress, past ones; admins schedule and cancel.
import type { FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const MAINTENANCE = graphql(`
  query MaintenanceWindows($slug: String!) {
    organization(slug: $slug) {
      id
      services { id name }
      maintenances(state: ALL) { id title description status scheduledStart scheduledEnd services { id name } }
    }
  }
`);
const SCHEDULE = graphql(`mutation ScheduleMaintenance($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`);
const CANCEL = graphql(`mutation CancelMaintenance($id: ID!) { cancelMaintenance(id: $id) { id status } }`);

const STATUS = { SCHEDULED: "Scheduled", IN_PROGRESS: "In progress", COMPLETED: "Completed", CANCELLED: "Cancelled" } as Record<string, string>;

export function Maintenance() {
  const org = useOrg();
  const [result] = useLiveQuery(MAINTENANCE, { slug: org.slug });
  const [cancelState, cancel] = useMutation(CANCEL);
  const data = result.data?.organization;
  return (
    <section>
      <h1>Maintenance</h1>
      <ErrorMessage error={result.error} />
      {org.isAdmin && data && <ScheduleForm services={data.services} />}
      {data && data.maintenances.length === 0 && <p className="muted">No maintenance windows.</p>}
      <ul className="rows">
        {data?.maintenances.map((m) => (
          <li key={m.id} className="row">
            <div className="row-main">
              <strong>{m.title}</strong> <span className="pill pill-maintenance">{STATUS[m.status]}</span>
              <div className="muted small">
                {formatTime(m.scheduledStart)} – {formatTime(m.scheduledEnd)} · {m.services.map((s) => s.name).join(", ")}
              </div>
            </div>
            {org.isAdmin && (m.status === "SCHEDULED" || m.status === "IN_PROGRESS") && (
              <button type="button" className="danger" onClick={() => window.confirm(`Cancel “${m.title}”?`) && void cancel({ id: m.id })}>
                Cancel window
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={cancelState.error} />
    </section>
  );
}

function ScheduleForm({ services }: { services: { id: string; name: string }[] }) {
  const org = useOrg();
  const [{ fetching, error }, schedule] = useMutation(SCHEDULE);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const description = formText(form, "description");
    const result = await schedule({
      input: {
        organizationId: org.id,
        title: formText(form, "title"),
        serviceIds: form.getAll("serviceIds").map(String),
        // datetime-local is in the browser's zone; the API takes UTC instants.
        scheduledStart: new Date(formText(form, "start")).toISOString(),
        scheduledEnd: new Date(formText(form, "end")).toISOString(),
        ...(description ? { description } : {}),
      },
    });
    if (!result.error) formElement.reset();
  };
  return (
    <details className="card">
      <summary>Schedule maintenance</summary>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>Title <input name="title" required maxLength={200} /></label>
        <label>Starts <input name="start" type="datetime-local" required /></label>
        <label>Ends <input name="end" type="datetime-local" required /></label>
        <fieldset>
          <legend>Services</legend>
          {services.map((s) => (
            <label key={s.id} className="check"><input type="checkbox" name="serviceIds" value={s.id} /> {s.name}</label>
          ))}
        </fieldset>
        <label>Description <textarea name="description" rows={2} maxLength={5000} /></label>
        <ErrorMessage error={error} />
        <button type="submit" disabled={fetching}>Schedule</button>
      </form>
    </details>
  );
}
