// An incident with its timeline, newest update first (as status pages show it). While it is
// active, an affected service whose status an admin has since set by hand says so, with the
// status it has now: the incident's impact is no longer what the page shows for it.
import { INCIDENT_STATUS_LABEL, SERVICE_STATUS_LABEL, tone } from "./status.ts";
import { Time } from "./Time.tsx";

export interface IncidentView {
  id: string;
  title: string;
  status: string;
  createdAt: string;
  resolvedAt?: string | null;
  affectedServices: { service: { id: string; name: string; status?: string; statusSource?: { kind: string } }; toStatus: string }[];
  updates: { id: string; status: string; message: string; createdAt: string }[];
}

export function IncidentCard({ incident, children }: { incident: IncidentView; children?: React.ReactNode }) {
  const worst = incident.affectedServices[0]?.toStatus ?? "OPERATIONAL";
  return (
    <article className={`card incident incident-${incident.resolvedAt ? "resolved" : tone(worst)}`} data-testid={`incident-${incident.title}`}>
      <h3>
        {incident.title} <span className="pill">{INCIDENT_STATUS_LABEL[incident.status]}</span>
      </h3>
      <p className="muted small" data-testid="affected-services">
        Affects {incident.affectedServices.map((a) => affected(a, !incident.resolvedAt)).join(", ")}
      </p>
      <ol className="timeline">
        {[...incident.updates].reverse().map((update) => (
          <li key={update.id}>
            <strong>{INCIDENT_STATUS_LABEL[update.status]}</strong> — {update.message}
            <div className="muted small"><Time value={update.createdAt} /></div>
          </li>
        ))}
      </ol>
      {children}
    </article>
  );
}

/** "API (partial outage)", or "API (partial outage; now operational, set by hand)". */
function affected(a: IncidentView["affectedServices"][number], active: boolean): string {
  const impact = SERVICE_STATUS_LABEL[a.toStatus]?.toLowerCase();
  const { status, statusSource } = a.service;
  if (active && statusSource?.kind === "MANUAL" && status) return `${a.service.name} (${impact}; now ${SERVICE_STATUS_LABEL[status]?.toLowerCase()}, set by hand)`;
  return `${a.service.name} (${impact})`;
}
