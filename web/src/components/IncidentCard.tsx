// An incident with its timeline, newest update first (as status pages show it).
import { INCIDENT_STATUS_LABEL, SERVICE_STATUS_LABEL, tone } from "./status.ts";
import { Time } from "./Time.tsx";

export interface IncidentView {
  id: string;
  title: string;
  status: string;
  createdAt: string;
  resolvedAt?: string | null;
  affectedServices: { service: { id: string; name: string }; toStatus: string }[];
  updates: { id: string; status: string; message: string; createdAt: string }[];
}

export function IncidentCard({ incident, children }: { incident: IncidentView; children?: React.ReactNode }) {
  const worst = incident.affectedServices[0]?.toStatus ?? "OPERATIONAL";
  return (
    <article className={`card incident incident-${incident.resolvedAt ? "resolved" : tone(worst)}`} data-testid={`incident-${incident.title}`}>
      <h3>
        {incident.title} <span className="pill">{INCIDENT_STATUS_LABEL[incident.status]}</span>
      </h3>
      <p className="muted small">
        Affects {incident.affectedServices.map((a) => `${a.service.name} (${SERVICE_STATUS_LABEL[a.toStatus]?.toLowerCase()})`).join(", ")}
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
