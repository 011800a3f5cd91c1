// A status page with no services yet: say so plainly instead of "All Systems Operational" over
// nothing; the organisation's signed-in admins get the way to the first service.
import { Link } from "react-router";

export function EmptyPage({ organizationName, addServiceHref }: { organizationName: string; addServiceHref?: string | null }) {
  return (
    <section className="card empty-page" aria-labelledby="empty-page" data-testid="empty-page">
      <h2 id="empty-page">Nothing is monitored here yet</h2>
      <p>{organizationName} has not added any services to this status page. Once it does, their status, uptime and any incidents show here, live.</p>
      {addServiceHref && (
        <p>
          You are an admin of {organizationName}: <Link to={addServiceHref}>add the first service</Link> in the dashboard.
        </p>
      )}
    </section>
  );
}
