import { describe, expect, it } from "vitest";
import { orderMaintenances } from "./maintenance-order.ts";

const w = (title: string, status: string, start: string, end: string) => ({ title, status, scheduledStart: `${start}T10:00:00Z`, scheduledEnd: `${end}T10:00:00Z` });

describe("orderMaintenances", () => {
  it("puts the window in progress first, then upcoming soonest first, then past most recent first", () => {
    const windows = [
      w("far future", "SCHEDULED", "2037-01-01", "2037-01-02"),
      w("done last year", "COMPLETED", "2025-01-01", "2025-01-02"),
      w("next week", "SCHEDULED", "2026-12-09", "2026-12-10"),
      w("now", "IN_PROGRESS", "2026-12-01", "2026-12-03"),
      w("cancelled yesterday", "CANCELLED", "2026-11-30", "2026-12-01"),
      w("tomorrow", "SCHEDULED", "2026-12-03", "2026-12-04"),
    ];
    const ordered = orderMaintenances(windows);
    expect(ordered.inProgress.map((x) => x.title)).toEqual(["now"]);
    expect(ordered.upcoming.map((x) => x.title)).toEqual(["tomorrow", "next week", "far future"]);
    expect(ordered.past.map((x) => x.title)).toEqual(["cancelled yesterday", "done last year"]);
  });

  it("orders two windows in progress by which ends first", () => {
    const ordered = orderMaintenances([w("long", "IN_PROGRESS", "2026-12-01", "2026-12-09"), w("short", "IN_PROGRESS", "2026-12-02", "2026-12-03")]);
    expect(ordered.inProgress.map((x) => x.title)).toEqual(["short", "long"]);
  });
});
