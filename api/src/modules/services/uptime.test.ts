import { describe, expect, it } from "vitest";
import { uptimeDays } from "./uptime.ts";

const at = (iso: string) => new Date(iso);

describe("uptimeDays", () => {
  it("gives a full day up for a service that never changed, one entry per day, oldest first", () => {
    const days = uptimeDays({ createdAt: at("2026-01-01T00:00:00Z"), now: at("2026-01-03T12:00:00Z"), days: 3, statusAtStart: "OPERATIONAL", changes: [] });
    expect(days).toEqual([
      { date: "2026-01-01", operationalRatio: 1, worstStatus: "OPERATIONAL", incidentIds: [] },
      { date: "2026-01-02", operationalRatio: 1, worstStatus: "OPERATIONAL", incidentIds: [] },
      { date: "2026-01-03", operationalRatio: 1, worstStatus: "OPERATIONAL", incidentIds: [] },
    ]);
  });

  it("leaves out the days before the service existed", () => {
    const days = uptimeDays({ createdAt: at("2026-01-03T06:00:00Z"), now: at("2026-01-03T12:00:00Z"), days: 90, statusAtStart: "OPERATIONAL", changes: [] });
    expect(days.map((d) => d.date)).toEqual(["2026-01-03"]);
  });

  it("counts the time in outage against the day and reports the worst status", () => {
    const days = uptimeDays({
      createdAt: at("2025-12-01T00:00:00Z"),
      now: at("2026-01-02T12:00:00Z"),
      days: 2,
      statusAtStart: "OPERATIONAL",
      changes: [
        { at: at("2026-01-01T06:00:00Z"), status: "PARTIAL_OUTAGE" },
        { at: at("2026-01-01T09:00:00Z"), status: "MAJOR_OUTAGE" },
        { at: at("2026-01-01T12:00:00Z"), status: "OPERATIONAL" },
      ],
    });
    expect(days).toEqual([
      { date: "2026-01-01", operationalRatio: 0.75, worstStatus: "MAJOR_OUTAGE", incidentIds: [] },
      { date: "2026-01-02", operationalRatio: 1, worstStatus: "OPERATIONAL", incidentIds: [] },
    ]);
  });

  it("carries an outage across midnight and measures today only up to now", () => {
    const days = uptimeDays({
      createdAt: at("2025-12-01T00:00:00Z"),
      now: at("2026-01-02T12:00:00Z"),
      days: 2,
      statusAtStart: "OPERATIONAL",
      changes: [
        { at: at("2026-01-01T18:00:00Z"), status: "DEGRADED_PERFORMANCE" },
        { at: at("2026-01-02T06:00:00Z"), status: "OPERATIONAL" },
      ],
    });
    expect(days).toEqual([
      { date: "2026-01-01", operationalRatio: 0.75, worstStatus: "DEGRADED_PERFORMANCE", incidentIds: [] },
      { date: "2026-01-02", operationalRatio: 0.5, worstStatus: "DEGRADED_PERFORMANCE", incidentIds: [] },
    ]);
  });

  it("starts from the status in force when the window opens and does not count maintenance as down", () => {
    const days = uptimeDays({
      createdAt: at("2025-01-01T00:00:00Z"),
      now: at("2026-01-01T23:59:59.999Z"),
      days: 1,
      statusAtStart: "UNDER_MAINTENANCE",
      changes: [{ at: at("2026-01-01T12:00:00Z"), status: "MAJOR_OUTAGE" }],
    });
    expect(days).toEqual([{ date: "2026-01-01", operationalRatio: 0.5, worstStatus: "MAJOR_OUTAGE", incidentIds: [] }]);
  });

  it("lists on each day the incidents open at some point of it, up to now, oldest first", () => {
    const span = (id: string, from: string, to: string | null) => ({ id, createdAt: at(from), resolvedAt: to ? at(to) : null });
    const days = uptimeDays({
      createdAt: at("2025-12-01T00:00:00Z"),
      now: at("2026-01-04T12:00:00Z"),
      days: 4,
      statusAtStart: "OPERATIONAL",
      changes: [],
      incidents: [
        span("before-window", "2025-12-20T10:00:00Z", "2025-12-31T23:00:00Z"),
        span("across-midnight", "2026-01-01T22:00:00Z", "2026-01-02T01:00:00Z"),
        span("within-a-day", "2026-01-02T08:00:00Z", "2026-01-02T09:00:00Z"),
        span("still-open", "2026-01-03T23:59:00Z", null),
      ],
    });
    expect(days.map((d) => [d.date, d.incidentIds])).toEqual([
      ["2026-01-01", ["across-midnight"]],
      ["2026-01-02", ["across-midnight", "within-a-day"]],
      ["2026-01-03", ["still-open"]],
      ["2026-01-04", ["still-open"]],
    ]);
  });
});
