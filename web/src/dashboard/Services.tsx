// Services: list with status and why it has it; admins add, edit (name, group, order), set a
// status by hand (asked first, with what it overrides), delete. Groups are picked from the
// existing ones or created; names are unique in the organisation (the server says so beside it).
import { useState, type FormEvent } from "react";
import { formText } from "../form.ts";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { useRefusal, type FormRefusal } from "../components/refusal.tsx";
import { formatTime, SERVICE_STATUS_LABEL, SERVICE_STATUSES, tone } from "../components/status.ts";
import { graphql } from "../gql/index.ts";
import type { ServiceStatus } from "../gql/graphql.ts";
import { existingGroup, groupsOf } from "./groups.ts";
import { useOrg, useLiveQuery } from "./org-context.tsx";

const SERVICES = graphql(`
  query Services($slug: String!) {
    organization(slug: $slug) {
      id
      services {
        id name description group position status statusSince
        statusSource { kind incident { id title } maintenance { id title } }
      }
    }
  }
`);
const CREATE = graphql(`mutation CreateService($input: CreateServiceInput!) { createService(input: $input) { id } }`);
const UPDATE = graphql(`mutation UpdateService($input: UpdateServiceInput!) { updateService(input: $input) { id name group position description } }`);
const SET_STATUS = graphql(`mutation SetServiceStatus($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id status statusSource { kind } } }`);
const DELETE = graphql(`mutation DeleteService($id: ID!) { deleteService(id: $id) }`);

/** The API's bounds of a service's order (validation.ts: 0 to 100000). */
const MAX_POSITION = 100_000;

export function Services() {
  const org = useOrg();
  const [result] = useLiveQuery(SERVICES, { slug: org.slug });
  const services = result.data?.organization?.services ?? [];
  const groups = groupsOf(services);
  return (
    <section>
      <h1>Services</h1>
      <ErrorMessage error={result.error} />
      {org.isAdmin && <AddService groups={groups} />}
      {result.fetching && !result.data && <p className="muted">Loading…</p>}
      {result.data && services.length === 0 && (
        <p className="muted" data-testid="no-services">
          {org.isAdmin
            ? "No services yet: add the first one above. Incidents and maintenance windows are about services, so they start here."
            : "No services yet: an admin adds them."}
        </p>
      )}
      <ul className="rows">
        {services.map((service) => <ServiceRow key={service.id} service={service} groups={groups} />)}
      </ul>
    </section>
  );
}

// Groups are stored trimmed, so no group can be this value.
const NEW_GROUP = " new";

/** The group a submitted form chose: an existing one, a new name, or none. */
function groupFrom(form: FormData): string | null {
  const choice = formText(form, "groupChoice", { raw: true });
  if (choice === NEW_GROUP) return formText(form, "newGroup") || null;
  return choice || null;
}

/** Pick an existing group, none, or "New group…" with its name (which may turn out to be an existing one). */
function GroupField({ groups, initial, refusal }: { groups: string[]; initial: string | null; refusal: FormRefusal }) {
  const [choice, setChoice] = useState(initial ?? "");
  const [typed, setTyped] = useState("");
  const joins = choice === NEW_GROUP ? existingGroup(groups, typed) : undefined;
  return (
    <>
      <div className="field">
        <label>
          Group
          <select name="groupChoice" value={choice} onChange={(e) => setChoice(e.target.value)} {...(choice === NEW_GROUP ? {} : refusal.invalid("group"))}>
            <option value="">No group</option>
            {groups.map((group) => <option key={group} value={group}>{group}</option>)}
            <option value={NEW_GROUP}>New group…</option>
          </select>
        </label>
        {choice !== NEW_GROUP && refusal.at("group")}
      </div>
      {choice === NEW_GROUP && (
        <div className="field">
          <label>
            New group name
            <input name="newGroup" required maxLength={100} value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus {...refusal.invalid("group")} />
            {joins && <span className="hint">Same as the existing group “{joins}”: the service joins it.</span>}
          </label>
          {refusal.at("group")}
        </div>
      )}
    </>
  );
}

function AddService({ groups }: { groups: string[] }) {
  const org = useOrg();
  const [{ fetching, error }, create] = useMutation(CREATE);
  const refusal = useRefusal(error, ["name", "group"]);
  // A new key after each service added: the group picker starts over.
  const [added, setAdded] = useState(0);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const group = groupFrom(form);
    const result = await create({ input: { organizationId: org.id, name: formText(form, "name"), ...(group ? { group } : {}) } });
    if (!result.error) {
      formElement.reset();
      setAdded((n) => n + 1);
    }
  };
  return (
    <form key={added} className="inline-form" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label="Add a service">
      <div className="field">
        <label>
          Name <input name="name" required maxLength={100} {...refusal.invalid("name")} />
        </label>
        {refusal.at("name")}
      </div>
      <GroupField groups={groups} initial={null} refusal={refusal} />
      <button type="submit" disabled={fetching}>Add service</button>
      {refusal.general}
    </form>
  );
}

type ServiceItem = {
  id: string;
  name: string;
  description?: string | null;
  group?: string | null;
  position: number;
  status: ServiceStatus;
  statusSince: string;
  statusSource: { kind: string; incident?: { id: string; title: string } | null; maintenance?: { id: string; title: string } | null };
};

/** Why a service has its status, in a few words (nothing for a service that was never changed). */
function sourceNote(service: ServiceItem): string {
  const { kind, incident, maintenance } = service.statusSource;
  if (kind === "MANUAL") return `set by hand ${formatTime(service.statusSince)}`;
  if (kind === "INCIDENT") return incident ? `set by the incident “${incident.title}”` : "set by an incident";
  if (kind === "MAINTENANCE") return maintenance ? `set by the maintenance “${maintenance.title}”` : "set by maintenance";
  return "";
}

/** What setting `to` by hand does, said before it is done: above all what it overrides. */
function overrideNote(service: ServiceItem, to: ServiceStatus): string {
  const label = SERVICE_STATUS_LABEL[to];
  const { kind, incident, maintenance } = service.statusSource;
  if (kind === "INCIDENT") {
    return (
      `The incident “${incident?.title ?? "an incident"}” set this status. Setting ${label} by hand overrides it: the incident stays open and ` +
      `still lists ${service.name}, and the status page says the status was set by hand. Resolving the incident recalculates it.`
    );
  }
  if (kind === "MAINTENANCE") {
    return `The maintenance “${maintenance?.title ?? "a window"}” set this status. Setting ${label} by hand overrides it until the window ends.`;
  }
  return `Set ${service.name} to ${label} by hand? The status page shows it at once.`;
}

function ServiceRow({ service, groups }: { service: ServiceItem; groups: string[] }) {
  const org = useOrg();
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState<ServiceStatus | null>(null);
  const [statusState, setStatus] = useMutation(SET_STATUS);
  const [deleteState, remove] = useMutation(DELETE);
  const apply = async (status: ServiceStatus) => {
    const result = await setStatus({ input: { id: service.id, status } });
    if (!result.error) setPending(null);
  };
  const note = sourceNote(service);
  return (
    <li className="row" data-testid={`service-row-${service.name}`}>
      <div className="row-main">
        <strong>{service.name}</strong>
        {service.group && <span className="muted small"> · {service.group}</span>}
        <span className={`pill pill-${tone(service.status)}`}>{SERVICE_STATUS_LABEL[service.status]}</span>
        {note && <span className="muted small" data-testid="status-source">{note}</span>}
      </div>
      {org.isAdmin && (
        <div className="row-actions">
          <label>
            <span className="visually-hidden">Status of {service.name}</span>
            <select value={pending ?? service.status} onChange={(e) => setPending(e.target.value === service.status ? null : (e.target.value as ServiceStatus))}>
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
      {pending && (
        <div className="confirm notice" role="group" aria-label={`Set the status of ${service.name} by hand`}>
          <p>{overrideNote(service, pending)}</p>
          <button type="button" disabled={statusState.fetching} onClick={() => void apply(pending)}>Set {SERVICE_STATUS_LABEL[pending]}</button>
          <button type="button" className="secondary" onClick={() => setPending(null)}>Keep {SERVICE_STATUS_LABEL[service.status]}</button>
        </div>
      )}
      <ErrorMessage error={statusState.error ?? deleteState.error} />
      {editing && <EditService service={service} groups={groups} done={() => setEditing(false)} />}
    </li>
  );
}

function EditService({ service, groups, done }: { service: ServiceItem; groups: string[]; done: () => void }) {
  const [{ fetching, error }, update] = useMutation(UPDATE);
  const refusal = useRefusal(error, ["name", "group", "position", "description"]);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await update({
      input: { id: service.id, name: formText(form, "name"), group: groupFrom(form), description: formText(form, "description") || null, position: Number(form.get("position")) },
    });
    if (!result.error) done();
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} onInput={refusal.clear} aria-label={`Edit ${service.name}`}>
      <div className="field">
        <label>
          Name <input name="name" defaultValue={service.name} required maxLength={100} {...refusal.invalid("name")} />
        </label>
        {refusal.at("name")}
      </div>
      <GroupField groups={groups} initial={service.group ?? null} refusal={refusal} />
      <div className="field">
        <label>
          Order <input name="position" type="number" min={0} max={MAX_POSITION} step={1} required defaultValue={service.position} {...refusal.invalid("position")} />
        </label>
        {refusal.at("position")}
      </div>
      <div className="field wide">
        <label>
          Description <input name="description" defaultValue={service.description ?? ""} maxLength={2000} {...refusal.invalid("description")} />
        </label>
        {refusal.at("description")}
      </div>
      <button type="submit" disabled={fetching}>Save</button>
      <button type="button" className="secondary" onClick={done}>Cancel</button>
      {refusal.general}
    </form>
  );
}
