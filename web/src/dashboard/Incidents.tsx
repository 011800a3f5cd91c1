// Incidents: open one across several services (only impacts the rules allow are offered),
// post updates that move the status forward, resolve, delete; resolved ones below. With no
// services yet there is nothing to open an incident on: the page says so and links there.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { useRefusal } from "../components/refusal.tsx";
import { IncidentCard } from "../components/IncidentCard.tsx";
import { allowedImpacts, INCIDENT_STATUS_LABEL, nextIncidentStatuses, OUTAGE_STATUSES, SERVICE_STATUS_LABEL } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import type { IncidentStatus, ServiceStatus } from "../gql/graphql.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const INCIDENTS = graphql(`
  query Incidents($slug: String!) {
    organization(slug: $slug) {
      id
      # How each service stands now (and whether by hand) is read once here, not per incident.
      services { id name status statusSource { kind } }
      active: incidents(state: ACTIVE, first: 50) { nodes { ...DashboardIncident } }
      resolved: incidents(state: RESOLVED, first: 20) { nodes { ...DashboardIncident } }
    }
  }
  fragment DashboardIncident on Incident {
    id title status createdAt resolvedAt
    affectedServices { service { id name } fromStatus toStatus }
    updates { id status message createdAt }
  }
`);
const CREATE = graphql(`mutation CreateIncident($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`);
const UPDATE = graphql(`mutation UpdateIncident($input: UpdateIncidentInput!) { updateIncident(input: $input) { id status } }`);
const DELETE = graphql(`mutation DeleteIncident($id: ID!) { deleteIncident(id: $id) }`);

type ServiceNow = { id: string; status: string; statusSource: { kind: string } };

/** An active incident's services with how they stand now, so the card can say "set by hand". */
function withCurrentStatus<T extends { affectedServices: { service: { id: string; name: string } }[] }>(incident: T, services: ServiceNow[]): T {
  const now = new Map(services.map((s) => [s.id, s]));
  return {
    ...incident,
    affectedServices: incident.affectedServices.map((a) => {
      const current = now.get(a.service.id);
      return current ? { ...a, service: { ...a.service, status: current.status, statusSource: current.statusSource } } : a;
    }),
  };
}

export function Incidents() {
  const org = useOrg();
  const [result] = useLiveQuery(INCIDENTS, { slug: org.slug });
  const data = result.data?.organization;
  return (
    <section>
      <h1>Incidents</h1>
      <ErrorMessage error={result.error} />
      {org.isAdmin && data && data.services.length === 0 && (
        <p className="notice empty-state" data-testid="incidents-need-services">
          An incident says which services it affects, and there are none yet. <Link to={`/org/${org.slug}/services`}>Add a service first</Link>.
        </p>
      )}
      {org.isAdmin && data && data.services.length > 0 && <OpenIncident services={data.services} />}
      <h2>Active</h2>
      {data && data.active.nodes.length === 0 && <p className="muted">No active incidents.</p>}
      {data?.active.nodes.map((incident) => (
        <IncidentCard key={incident.id} incident={withCurrentStatus(incident, data.services)}>
          {org.isAdmin && <IncidentActions incident={incident} />}
        </IncidentCard>
      ))}
      <h2>Resolved</h2>
      {data && data.resolved.nodes.length === 0 && <p className="muted">Nothing resolved yet.</p>}
      {data?.resolved.nodes.map((incident) => (
        <IncidentCard key={incident.id} incident={incident}>
          {org.isAdmin && <IncidentActions incident={incident} />}
        </IncidentCard>
      ))}
    </section>
  );
}

function OpenIncident({ services }: { services: { id: string; name: string; status: string }[] }) {
  const [{ fetching, error }, create] = useMutation(CREATE);
  const refusal = useRefusal(error, ["title", "serviceIds", "impact", "message"]);
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const chosen = services.filter((s) => selected.includes(s.id));
  // An impact must worsen every chosen service.
  const impacts = OUTAGE_STATUSES.filter((impact) => chosen.every((s) => allowedImpacts(s.status).includes(impact)));
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await create({
      input: { serviceIds: selected, title: formText(form, "title"), message: formText(form, "message"), impact: formText(form, "impact") as ServiceStatus },
    });
    if (!result.error) {
      setSelected([]);
      setOpen(false);
    }
  };
  if (!open) return <button type="button" onClick={() => setOpen(true)}>Open an incident</button>;
  return (
    <form className="form card" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label="Open an incident">
      <div className="field">
        <label>
          Title <input name="title" required maxLength={200} autoFocus {...refusal.invalid("title")} />
        </label>
        {refusal.at("title")}
      </div>
      <fieldset {...refusal.invalid("serviceIds")}>
        <legend>Affected services</legend>
        {refusal.at("serviceIds")}
        {services.map((s) => (
          <label key={s.id} className="check">
            <input
              type="checkbox"
              checked={selected.includes(s.id)}
              disabled={allowedImpacts(s.status).length === 0}
              onChange={(e) => setSelected(e.target.checked ? [...selected, s.id] : selected.filter((id) => id !== s.id))}
            />
            {s.name} <span className="muted small">({SERVICE_STATUS_LABEL[s.status]})</span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label>
          Impact
          <select name="impact" required disabled={impacts.length === 0}>
            {impacts.map((impact) => <option key={impact} value={impact}>{SERVICE_STATUS_LABEL[impact]}</option>)}
          </select>
          {chosen.length > 0 && impacts.length === 0 && <span className="hint">No impact would make all of these worse: choose fewer services.</span>}
        </label>
        {refusal.at("impact")}
      </div>
      <div className="field">
        <label>
          First update <textarea name="message" required maxLength={5000} rows={3} {...refusal.invalid("message")} />
        </label>
        {refusal.at("message")}
      </div>
      {refusal.general}
      <div className="buttons">
        <button type="submit" disabled={fetching || selected.length === 0 || impacts.length === 0}>Open incident</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}

function IncidentActions({ incident }: { incident: { id: string; title: string; status: string } }) {
  const [updateState, update] = useMutation(UPDATE);
  const [deleteState, remove] = useMutation(DELETE);
  const refusal = useRefusal(updateState.error, ["message", "status"]);
  const next = nextIncidentStatuses(incident.status);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const status = formText(form, "status");
    const result = await update({ input: { id: incident.id, message: formText(form, "message"), ...(status ? { status: status as IncidentStatus } : {}) } });
    if (!result.error) formElement.reset();
  };
  return (
    <div className="incident-actions">
      <form className="inline-form" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label={`Post an update to ${incident.title}`}>
        <div className="field wide">
          <label>
            Update <input name="message" required maxLength={5000} {...refusal.invalid("message")} />
          </label>
          {refusal.at("message")}
        </div>
        {next.length > 0 && (
          <label>
            Status
            <select name="status" defaultValue="">
              <option value="">{INCIDENT_STATUS_LABEL[incident.status]} (unchanged)</option>
              {next.map((s) => <option key={s} value={s}>{INCIDENT_STATUS_LABEL[s]}</option>)}
            </select>
          </label>
        )}
        <button type="submit" disabled={updateState.fetching}>Post update</button>
      </form>
      <div className="buttons">
        {incident.status !== "RESOLVED" && (
          <button type="button" className="secondary" onClick={() => void update({ input: { id: incident.id, status: "RESOLVED", message: "This incident has been resolved." } })}>
            Resolve
          </button>
        )}
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm(`Delete the incident “${incident.title}”? Its services are recalculated.`)) void remove({ id: incident.id });
          }}
        >
          Delete
        </button>
      </div>
      {refusal.general}
      <ErrorMessage error={deleteState.error} />
    </div>
  );
}
