// Maintenance windows: in progress first, then upcoming (soonest first), then past (most recent
// first); admins schedule, edit and cancel. With no services yet there is nothing to schedule
// maintenance for: the page says so and links there.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { useRefusal } from "../components/refusal.tsx";
import { Time, useViewerTimeZone } from "../components/Time.tsx";
import { fromZonedInput, toZonedInput, zoneLabel } from "../components/time.ts";
import { graphql } from "../gql/index.ts";
import { orderMaintenances, type MaintenancePhase } from "./maintenance-order.ts";
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
const PHASES: [MaintenancePhase, string][] = [
  ["inProgress", "In progress"],
  ["upcoming", "Upcoming"],
  ["past", "Past"],
];

type Window = { id: string; title: string; description?: string | null; status: string; scheduledStart: string; scheduledEnd: string; services: { id: string; name: string }[] };

export function Maintenance() {
  const org = useOrg();
  const [result] = useLiveQuery(MAINTENANCE, { slug: org.slug });
  const [cancelState, cancel] = useMutation(CANCEL);
  const [editing, setEditing] = useState<string | null>(null);
  const data = result.data?.organization;
  const phases = orderMaintenances(data?.maintenances ?? []);
  const row = (m: Window) => (
    <li key={m.id} className="row" data-testid={`maintenance-${m.title}`}>
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
  );
  return (
    <section>
      <h1>Maintenance</h1>
      <ErrorMessage error={result.error} />
      {org.isAdmin && data && data.services.length === 0 && (
        <p className="notice empty-state" data-testid="maintenance-needs-services">
          A maintenance window puts services under maintenance, and there are none yet. <Link to={`/org/${org.slug}/services`}>Add a service first</Link>.
        </p>
      )}
      {org.isAdmin && data && data.services.length > 0 && <ScheduleForm services={data.services} />}
      {data && data.maintenances.length === 0 && <p className="muted">No maintenance windows.</p>}
      {PHASES.map(([phase, heading]) =>
        phases[phase].length === 0 ? null : (
          <div key={phase} data-testid={`maintenance-${phase}`}>
            <h2>{heading}</h2>
            <ul className="rows">{phases[phase].map(row)}</ul>
          </div>
        ),
      )}
      <ErrorMessage error={cancelState.error} />
    </section>
  );
}

/** Which zone a time input is read in (the viewer's own), said in its label. */
function ZoneHint({ zone }: { zone: string }) {
  return <span className="hint">{zoneLabel(zone)}</span>;
}

/** A datetime-local value on the viewer's wall clock, as the UTC instant the API takes ("" when empty). */
function instant(form: FormData, name: string, zone: string): string {
  return fromZonedInput(formText(form, name), zone) ?? "";
}

function ScheduleForm({ services }: { services: { id: string; name: string }[] }) {
  const org = useOrg();
  const zone = useViewerTimeZone();
  const [{ fetching, error }, schedule] = useMutation(SCHEDULE);
  const refusal = useRefusal(error, ["title", "scheduledStart", "scheduledEnd", "serviceIds", "description"]);
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
      <form className="form" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label="Schedule maintenance">
        <div className="field">
          <label>
            Title <input name="title" required maxLength={200} {...refusal.invalid("title")} />
          </label>
          {refusal.at("title")}
        </div>
        <div className="field">
          <label>
            Starts <ZoneHint zone={zone} /> <input name="start" type="datetime-local" required {...refusal.invalid("scheduledStart")} />
          </label>
          {refusal.at("scheduledStart")}
        </div>
        <div className="field">
          <label>
            Ends <ZoneHint zone={zone} /> <input name="end" type="datetime-local" required min={toZonedInput(new Date(), zone)} {...refusal.invalid("scheduledEnd")} />
          </label>
          {refusal.at("scheduledEnd")}
        </div>
        <fieldset {...refusal.invalid("serviceIds")}>
          <legend>Services</legend>
          {refusal.at("serviceIds")}
          {services.map((s) => (
            <label key={s.id} className="check"><input type="checkbox" name="serviceIds" value={s.id} /> {s.name}</label>
          ))}
        </fieldset>
        <div className="field">
          <label>
            Description <textarea name="description" rows={2} maxLength={2000} {...refusal.invalid("description")} />
          </label>
          {refusal.at("description")}
        </div>
        {refusal.general}
        <button type="submit" disabled={fetching}>Schedule</button>
      </form>
    </details>
  );
}

function EditWindow({ window: m, done }: { window: Window; done: () => void }) {
  const [{ fetching, error }, update] = useMutation(UPDATE);
  const zone = useViewerTimeZone();
  const refusal = useRefusal(error, ["title", "scheduledStart", "scheduledEnd", "description"]);
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
    <form className="inline-form" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label={`Edit ${m.title}`}>
      <div className="field wide">
        <label>
          Title <input name="title" defaultValue={m.title} required maxLength={200} {...refusal.invalid("title")} />
        </label>
        {refusal.at("title")}
      </div>
      <div className="field">
        <label>
          Starts <ZoneHint zone={zone} /> <input name="start" type="datetime-local" defaultValue={toZonedInput(m.scheduledStart, zone)} disabled={m.status !== "SCHEDULED"} required {...refusal.invalid("scheduledStart")} />
        </label>
        {refusal.at("scheduledStart")}
      </div>
      <div className="field">
        <label>
          Ends <ZoneHint zone={zone} /> <input name="end" type="datetime-local" defaultValue={toZonedInput(m.scheduledEnd, zone)} required {...refusal.invalid("scheduledEnd")} />
        </label>
        {refusal.at("scheduledEnd")}
      </div>
      <div className="field wide">
        <label>
          Description <input name="description" defaultValue={m.description ?? ""} maxLength={2000} {...refusal.invalid("description")} />
        </label>
        {refusal.at("description")}
      </div>
      <button type="submit" disabled={fetching}>Save</button>
      <button type="button" className="secondary" onClick={done}>Cancel</button>
      {refusal.general}
    </form>
  );
}
