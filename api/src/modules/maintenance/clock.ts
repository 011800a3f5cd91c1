// The maintenance clock: every instance looks for due windows twice a second and moves them
// (start, then complete). Doing it on every instance needs no leader: the verbs lock the row
// and re-check, so each transition happens exactly once, and a restart simply finds what fell
// due while the server was down.
import type { Logger } from "pino";
import { systemContext, type AppServices } from "../../context.ts";
import { completeMaintenance } from "./complete-maintenance.ts";
import { startMaintenance } from "./start-maintenance.ts";

export interface MaintenanceClock {
  /** Runs one pass now (tests, and the first pass at start). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startMaintenanceClock(services: AppServices, log: Logger, intervalMs = 500): MaintenanceClock {
  const ctx = systemContext(services, "maintenance-clock");
  let running: Promise<void> | null = null;
  let stopped = false;

  const pass = async () => {
    const now = new Date();
    const due = await services.db.prisma.maintenance.findMany({
      where: {
        OR: [
          { status: "SCHEDULED", scheduledStart: { lte: now } },
          { status: "IN_PROGRESS", scheduledEnd: { lte: now } },
        ],
      },
      orderBy: { scheduledStart: "asc" },
      select: { id: true, organizationId: true, status: true, scheduledEnd: true },
      take: 100,
    });
    for (const window of due) {
      if (stopped) return;
      try {
        if (window.status === "SCHEDULED") {
          if (await startMaintenance({ ctx, id: window.id, organizationId: window.organizationId, now })) log.info({ maintenanceId: window.id }, "maintenance started");
        }
        // A window whose end has passed too (the server was down) completes in the same pass.
        if (window.scheduledEnd.getTime() <= now.getTime()) {
          if (await completeMaintenance({ ctx, id: window.id, organizationId: window.organizationId, now })) log.info({ maintenanceId: window.id }, "maintenance completed");
        }
      } catch (error) {
        log.error({ err: error, maintenanceId: window.id }, "maintenance transition failed; retrying on the next tick");
      }
    }
  };

  const tick = () => {
    running ??= pass()
      .catch((error: unknown) => log.warn({ err: error }, "maintenance clock pass failed"))
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
