// Webhooks (admins): where events are POSTed, in which format, and what happened to each
// attempt. The signing secret is shown once, with a copy button. Retries happen on the server
// without an event of their own, so the list also refreshes every few seconds while open.
import { useEffect, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { ErrorMessage } from "../components/ErrorMessage.tsx";
import { formatTime } from "../components/status.ts";
import { formText } from "../form.ts";
import { graphql } from "../gql/index.ts";
import type { StatusEventKind, WebhookFormat, WebhooksQuery } from "../gql/graphql.ts";
import { useLiveQuery, useOrg } from "./org-context.tsx";

const WEBHOOKS = graphql(`query Webhooks($slug: String!) {
  organization(slug: $slug) {
    id
    webhooks {
      id url kinds format enabled disabledReason createdAt
      deliveries(first: 10) { id eventCursor attempt responseStatus succeeded durationMs error nextAttemptAt createdAt }
    }
  }
}`);
const CREATE = graphql(`mutation CreateWebhook($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }`);
const UPDATE = graphql(`mutation UpdateWebhook($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id enabled disabledReason } }`);
const DELETE = graphql(`mutation DeleteWebhook($id: ID!) { deleteWebhook(id: $id) }`);
const TEST = graphql(`mutation SendTestWebhook($id: ID!) { sendTestWebhook(id: $id) { id succeeded responseStatus error } }`);
const REDELIVER = graphql(`mutation RedeliverWebhook($deliveryId: ID!) { redeliverWebhook(deliveryId: $deliveryId) { id succeeded responseStatus error } }`);

type Webhook = NonNullable<WebhooksQuery["organization"]>["webhooks"][number];
type Delivery = Webhook["deliveries"][number];

const KINDS: [StatusEventKind, string][] = [
  ["INCIDENT_CREATED", "Incident created"],
  ["INCIDENT_UPDATED", "Incident updated"],
  ["INCIDENT_RESOLVED", "Incident resolved"],
  ["INCIDENT_DELETED", "Incident deleted"],
  ["MAINTENANCE_SCHEDULED", "Maintenance scheduled"],
  ["MAINTENANCE_UPDATED", "Maintenance updated"],
  ["MAINTENANCE_STARTED", "Maintenance started"],
  ["MAINTENANCE_COMPLETED", "Maintenance completed"],
  ["MAINTENANCE_CANCELLED", "Maintenance cancelled"],
  ["SERVICE_STATUS_CHANGED", "Service status changed"],
  ["SERVICE_CREATED", "Service created"],
  ["SERVICE_UPDATED", "Service updated"],
  ["SERVICE_DELETED", "Service deleted"],
];
/** What most teams want announced: incidents and maintenance, as a status page's subscribers get. */
const DEFAULT_KINDS = new Set<StatusEventKind>(["INCIDENT_CREATED", "INCIDENT_UPDATED", "INCIDENT_RESOLVED", "MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "MAINTENANCE_COMPLETED"]);
const FORMATS: [WebhookFormat, string][] = [
  ["JSON", "JSON (signed)"],
  ["SLACK", "Slack"],
  ["DISCORD", "Discord"],
];
const TEST_CURSOR = "0000000000000000";
/** Attempts seconds apart need the seconds. */
const attemptTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });

export function Webhooks() {
  const org = useOrg();
  const [result, reload] = useLiveQuery(WEBHOOKS, { slug: org.slug });
  const [createState, create] = useMutation(CREATE);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => reload({ requestPolicy: "network-only" }), 5_000);
    return () => clearInterval(timer);
  }, [reload]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const kinds = form.getAll("kinds").filter((k): k is string => typeof k === "string") as StatusEventKind[];
    const created = await create({ input: { organizationId: org.id, url: formText(form, "url"), kinds, format: formText(form, "format") as WebhookFormat } });
    if (created.data) {
      setSecret(created.data.createWebhook.secret);
      setCopied(false);
      formElement.reset();
      reload({ requestPolicy: "network-only" });
    }
  };
  const webhooks = result.data?.organization?.webhooks;

  return (
    <section>
      <h1>Webhooks</h1>
      <p className="muted">
        Events are POSTed to each URL in the order they happened. A failed delivery is retried after about 2 seconds, then after
        waits that double, for about 17 minutes; after that the webhook is turned off and says why.
      </p>
      <ErrorMessage error={result.error} />
      <form className="form card" onSubmit={(e) => void submit(e)} aria-label="Add a webhook">
        <div className="inline-form">
          <label className="wide">URL <input name="url" type="url" required maxLength={2000} placeholder="https://example.com/statuspage-hook" /></label>
          <label>
            Format
            <select name="format" defaultValue="JSON">
              {FORMATS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </label>
        </div>
        <fieldset>
          <legend>Events</legend>
          <div className="kinds">
            {KINDS.map(([kind, label]) => (
              <label key={kind} className="check"><input type="checkbox" name="kinds" value={kind} defaultChecked={DEFAULT_KINDS.has(kind)} /> {label}</label>
            ))}
          </div>
        </fieldset>
        <div><button type="submit" disabled={createState.fetching}>Add webhook</button></div>
        <ErrorMessage error={createState.error} />
      </form>
      {secret && (
        <div className="notice" role="status">
          <p>Copy this signing secret now: it is not shown again. Check each JSON delivery's X-Statuspage-Signature header with it (HMAC-SHA256 of the body).</p>
          <code data-testid="new-webhook-secret">{secret}</code>{" "}
          <button type="button" onClick={() => void navigator.clipboard.writeText(secret).then(() => setCopied(true))}>{copied ? "Copied" : "Copy"}</button>
        </div>
      )}
      {webhooks?.length === 0 && <p className="muted">No webhooks yet.</p>}
      {webhooks?.map((w) => <WebhookCard key={w.id} webhook={w} reload={() => reload({ requestPolicy: "network-only" })} />)}
    </section>
  );
}

function WebhookCard({ webhook: w, reload }: { webhook: Webhook; reload: () => void }) {
  const [updateState, update] = useMutation(UPDATE);
  const [deleteState, remove] = useMutation(DELETE);
  const [testState, test] = useMutation(TEST);
  const format = FORMATS.find(([value]) => value === w.format)?.[1] ?? w.format;
  const kinds = w.kinds.map((kind) => KINDS.find(([k]) => k === kind)?.[1] ?? kind).join(", ");
  const tested = testState.data?.sendTestWebhook;
  return (
    <article className="card webhook" aria-label={`Webhook ${w.url}`}>
      <div className="row-main">
        <strong className="webhook-url">{w.url}</strong>
        <span className="pill">{format}</span>
        <span className={`pill ${w.enabled ? "pill-ok" : "pill-critical"}`}>{w.enabled ? "On" : "Off"}</span>
      </div>
      <div className="muted small">{kinds} · added {formatTime(w.createdAt)}</div>
      {w.disabledReason && <p className="error" role="alert">{w.disabledReason}</p>}
      <div className="buttons">
        <button type="button" className="secondary" disabled={testState.fetching} onClick={() => void test({ id: w.id }).then(reload)}>Send test</button>
        <button type="button" className="secondary" disabled={updateState.fetching} onClick={() => void update({ input: { id: w.id, enabled: !w.enabled } }).then(reload)}>
          {w.enabled ? "Turn off" : "Turn on"}
        </button>
        <button
          type="button"
          className="danger"
          disabled={deleteState.fetching}
          onClick={() => window.confirm(`Delete the webhook to ${w.url}? Nothing more is sent to it.`) && void remove({ id: w.id }).then(reload)}
        >
          Delete
        </button>
      </div>
      {tested && (
        <p className="small" role="status">
          Test {tested.succeeded ? "delivered" : "failed"}: {tested.error ?? `HTTP ${tested.responseStatus}`}
        </p>
      )}
      <ErrorMessage error={testState.error ?? updateState.error ?? deleteState.error} />
      <Deliveries deliveries={w.deliveries} reload={reload} />
    </article>
  );
}

function Deliveries({ deliveries, reload }: { deliveries: Delivery[]; reload: () => void }) {
  const [redeliverState, redeliver] = useMutation(REDELIVER);
  if (deliveries.length === 0) return <p className="muted small">No deliveries yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">Recent deliveries</caption>
        <thead>
          <tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Result</th><th scope="col">Time</th><th scope="col">Next retry</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid="delivery">
              <td>{attemptTime(d.createdAt)}</td>
              <td>{d.eventCursor === TEST_CURSOR ? "test" : `#${Number(d.eventCursor)}`}</td>
              <td>{d.attempt}</td>
              <td>
                <span className={`pill ${d.succeeded ? "pill-ok" : "pill-critical"}`}>{d.responseStatus ?? "—"}</span>{" "}
                {!d.succeeded && <span className="small">{d.error}</span>}
              </td>
              <td>{d.durationMs === null ? "—" : `${d.durationMs} ms`}</td>
              <td>{d.nextAttemptAt ? attemptTime(d.nextAttemptAt) : "—"}</td>
              <td>
                <button type="button" className="link-button" disabled={redeliverState.fetching} onClick={() => void redeliver({ deliveryId: d.id }).then(reload)}>
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={redeliverState.error} />
    </div>
  );
}
