// What happens to a window's services when it stops being active (cancelled, or completed by
// the clock).
import type { MutationScope } from "../../lib/tx.ts";
import { statusAfterMaintenanceEnds } from "../services/domain.ts";
import { activeIncidentsOn, changeServiceStatus, lockLiveServices } from "../services/verbs.ts";

/**
 * Services this window put under maintenance leave it; a service an admin changed by hand
 * since then is left alone, as is one that another active window still holds.
 */
export async function releaseServicesOf(m: MutationScope, maintenanceId: string): Promise<void> {
  const held = await m.tx.service.findMany({
    where: { organizationId: m.organizationId, deletedAt: null, statusSource: "MAINTENANCE", statusMaintenanceId: maintenanceId },
    select: { id: true },
  });
  if (held.length === 0) return;
  const services = await lockLiveServices(m, held.map((s) => s.id));
  const ids = services.map((s) => s.id);
  const [incidents, otherWindows] = await Promise.all([
    activeIncidentsOn(m, ids),
    m.tx.maintenanceService.findMany({
      where: { organizationId: m.organizationId, serviceId: { in: ids }, maintenanceId: { not: maintenanceId }, maintenance: { status: "IN_PROGRESS" } },
      select: { serviceId: true, maintenanceId: true },
    }),
  ]);
  for (const service of services) {
    const other = otherWindows.find((w) => w.serviceId === service.id);
    const next = statusAfterMaintenanceEnds(!!other, incidents.filter((i) => i.serviceId === service.id));
    if (next) await changeServiceStatus(m, service, { status: next.status, source: next.source, incidentId: next.incidentId });
    else if (other) await changeServiceStatus(m, service, { status: "UNDER_MAINTENANCE", source: "MAINTENANCE", maintenanceId: other.maintenanceId });
  }
}
