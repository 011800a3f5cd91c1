// Services: list with status; admins add, edit (name, group, order), set status by hand, delete.
import { useState, type FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { SERVICE_STATUS_LABEL, SERVICE_STATUSES, tone } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import { useOrg, useLiveQuery } from "./org-context.tsx";

const SERVICES = graphql(`
  query Services($slug: String!) {
    organization(slug: $slug) { id services { id name description group position status statusSince statusSource { kind } } }
  }
`);
const CREATE = graphql(`mutation CreateService($input: CreateServiceInput!) { createService(input: $input) { id } }`);
const UPDATE = graphql(`mutation UpdateService($input: UpdateServiceInput!) { updateService(input: $input) { id name group position description } }`);
const SET_STATUS = graphql(`mutation SetServiceStatus($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id status } }`);
const DELETE = graphql(`mutation DeleteService($id: ID!) { deleteService(id: $id) }`);

export function Services() {
  const org = useOrg();
  const [result] = useLiveQuery(SERVICES, { slug: org.slug });
  const services = result.data?.organization?.services ?? [];
  return (
    <section>
      <h1>Services</h1>
      <ErrorMessage error={result.error} />
      {org.isAdmin && <AddService />}
      {result.fetching && !result.data && <p className="muted">Loading…</p>}
      {result.data && services.length === 0 && <p className="muted">No services yet{org.isAdmin ? ": add the first one above." : "."}</p>}
      <ul className="rows">
        {services.map((service) => <ServiceRow key={service.id} service={service} />)}
      </ul>
    </section>
  );
}

function AddService() {
  const org = useOrg();
  const [{ fetching, error }, create] = useMutation(CREATE);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const group = formText(form, "group");
    const result = await create({ input: { organizationId: org.id, name: formText(form, "name"), ...(group ? { group } : {}) } });
    if (!result.error) formElement.reset();
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a service">
      <label>
        Name <input name="name" required maxLength={100} />
      </label>
      <label>
        Group <input name="group" maxLength={100} placeholder="optional" />
      </label>
      <button type="submit" disabled={fetching}>Add service</button>
      <ErrorMessage error={error} />
    </form>
  );
}

type ServiceItem = { id: string; name: string; description?: string | null; group?: string | null; position: number; status: string; statusSource: { kind: string } };

function ServiceRow({ service }: { service: ServiceItem }) {
  const org = useOrg();
  const [editing, setEditing] = useState(false);
  const [statusState, setStatus] = useMutation(SET_STATUS);
  const [deleteState, remove] = useMutation(DELETE);
  return (
    <li className="row" data-testid={`service-row-${service.name}`}>
      <div className="row-main">
        <strong>{service.name}</strong>
        {service.group && <span className="muted small"> · {service.group}</span>}
        <span className={`pill pill-${tone(service.status)}`}>{SERVICE_STATUS_LABEL[service.status]}</span>
        <span className="muted small">{service.statusSource.kind === "INCIDENT" ? "set by an incident" : service.statusSource.kind === "MAINTENANCE" ? "set by maintenance" : ""}</span>
      </div>
      {org.isAdmin && (
        <div className="row-actions">
          <label>
            <span className="visually-hidden">Status of {service.name}</span>
            <select value={service.status} onChange={(e) => void setStatus({ input: { id: service.id, status: e.target.value as (typeof SERVICE_STATUSES)[number] } })}>
              {SERVICE_STATUSES.map((s) => <option key={s} value={s}>{SERVICE_STATUS_LABEL[s]}</option>)}
            </select>
          </label>
          <button type="button" className="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>Edit</button>
          <button
            type="button"
            className="danger"
            disabled={deleteState.fetching}
            onClick={() => {
              if (window.confirm(`Delete the service “${service.name}”? It disappears from the status page.`)) void remove({ id: service.id });
            }}
          >
            Delete
          </button>
        </div>
      )}
      <ErrorMessage error={statusState.error ?? deleteState.error} />
      {editing && <EditService service={service} done={() => setEditing(false)} />}
    </li>
  );
}

function EditService({ service, done }: { service: ServiceItem; done: () => void }) {
  const [{ fetching, error }, update] = useMutation(UPDATE);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name) || null;
    const result = await update({
      input: { id: service.id, name: formText(form, "name"), group: text("group"), description: text("description"), position: Number(form.get("position")) },
    });
    if (!result.error) done();
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`Edit ${service.name}`}>
      <label>Name <input name="name" defaultValue={service.name} required maxLength={100} /></label>
      <label>Group <input name="group" defaultValue={service.group ?? ""} maxLength={100} /></label>
      <label>Order <input name="position" type="number" min={0} defaultValue={service.position} /></label>
      <label className="wide">Description <input name="description" defaultValue={service.description ?? ""} maxLength={1000} /></label>
      <button type="submit" disabled={fetching}>Save</button>
      <button type="button" className="secondary" onClick={done}>Cancel</button>
      <ErrorMessage error={error} />
    </form>
  );
}
