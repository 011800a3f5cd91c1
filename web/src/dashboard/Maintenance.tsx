// Maintenance windows: upcoming and in progress, past ones; admins schedule and cancel.
import { useState, type FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { Time, useViewerTimeZone } from "../components/Time.tsx";
import { fromZonedInput, toZonedInput, zoneLabel } from "../components/time.ts";
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
const UPDATE = graphql(`mutation UpdateMaintenance($input: UpdateMaintenanceInput!) { updateMaintenance(input: $input) { id } }`);
const CANCEL = graphql(`mutation CancelMaintenance($id: ID!) { cancelMaintenance(id: $id) { id status } }`);

const STATUS = { SCHEDULED: "Scheduled", IN_PROGRESS: "In progress", COMPLETED: "Completed", CANCELLED: "Cancelled" } as Record<string, string>;

export function Maintenance() {
  const org = useOrg();
  const [result] = useLiveQuery(MAINTENANCE, { slug: org.slug });
  const [cancelState, cancel] = useMutation(CANCEL);
  const [editing, setEditing] = useState<string | null>(null);
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
                <Time value={m.scheduledStart} /> – <Time value={m.scheduledEnd} /> · {m.services.map((s) => s.name).join(", ")}
              </div>
            </div>
            {org.isAdmin && (m.status === "SCHEDULED" || m.status === "IN_PROGRESS") && (
              <div className="row-actions">
                <button type="button" className="secondary" onClick={() => setEditing(editing === m.id ? null : m.id)} aria-expanded={editing === m.id}>
                  Edit
                </button>
                <button type="button" className="danger" onClick={() => window.confirm(`Cancel “${m.title}”?`) && void cancel({ id: m.id })}>
                  Cancel window
                </button>
              </div>
            )}
            {editing === m.id && <EditWindow window={m} done={() => setEditing(null)} />}
          </li>
        ))}
      </ul>
      <ErrorMessage error={cancelState.error} />
    </section>
  );
}

/** Which zone a time input is read in (the viewer's own), said in its label. */
function ZoneHint({ zone }: { zone: string }) {
  return <span className="hint">{zoneLabel(zone)}</span>;
}

/** A datetime-local value on the viewer's wall clock, as the UTC instant the API takes. */
function instant(form: FormData, name: string, zone: string): string {
  return fromZonedInput(formText(form, name), zone) ?? "";
}

function ScheduleForm({ services }: { services: { id: string; name: string }[] }) {
  const org = useOrg();
  const zone = useViewerTimeZone();
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
        // datetime-local holds the viewer's wall-clock time; the API takes UTC instants.
        scheduledStart: instant(form, "start", zone),
        scheduledEnd: instant(form, "end", zone),
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
        <label>Starts <ZoneHint zone={zone} /> <input name="start" type="datetime-local" required /></label>
        <label>Ends <ZoneHint zone={zone} /> <input name="end" type="datetime-local" required /></label>
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

function EditWindow({ window: m, done }: { window: { id: string; title: string; description?: string | null; status: string; scheduledStart: string; scheduledEnd: string }; done: () => void }) {
  const [{ fetching, error }, update] = useMutation(UPDATE);
  const zone = useViewerTimeZone();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await update({
      input: {
        id: m.id,
        title: formText(form, "title"),
        description: formText(form, "description") || null,
        // A window in progress keeps its start; only its end can move.
        ...(m.status === "SCHEDULED" ? { scheduledStart: instant(form, "start", zone) } : {}),
        scheduledEnd: instant(form, "end", zone),
      },
    });
    if (!result.error) done();
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`Edit ${m.title}`}>
      <label className="wide">Title <input name="title" defaultValue={m.title} required maxLength={200} /></label>
      <label>Starts <ZoneHint zone={zone} /> <input name="start" type="datetime-local" defaultValue={toZonedInput(m.scheduledStart, zone)} disabled={m.status !== "SCHEDULED"} required /></label>
      <label>Ends <ZoneHint zone={zone} /> <input name="end" type="datetime-local" defaultValue={toZonedInput(m.scheduledEnd, zone)} required /></label>
      <label className="wide">Description <input name="description" defaultValue={m.description ?? ""} maxLength={5000} /></label>
      <button type="submit" disabled={fetching}>Save</button>
      <button type="button" className="secondary" onClick={done}>Cancel</button>
      <ErrorMessage error={error} />
    </form>
  );
}
