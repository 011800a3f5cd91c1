import { describe, expect, it } from "vitest";
import { allowedImpacts, nextIncidentStatuses, tone } from "./status.ts";

describe("the choices the UI offers follow the status rules", () => {
  it("offers only forward incident statuses, none after resolved", () => {
    expect(nextIncidentStatuses("INVESTIGATING")).toEqual(["IDENTIFIED", "MONITORING", "RESOLVED"]);
    expect(nextIncidentStatuses("MONITORING")).toEqual(["RESOLVED"]);
    expect(nextIncidentStatuses("RESOLVED")).toEqual([]);
  });

  it("offers only impacts that make a service strictly worse", () => {
    expect(allowedImpacts("OPERATIONAL")).toEqual(["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE"]);
    expect(allowedImpacts("DEGRADED_PERFORMANCE")).toEqual(["PARTIAL_OUTAGE", "MAJOR_OUTAGE"]);
    expect(allowedImpacts("MAJOR_OUTAGE")).toEqual([]);
    expect(allowedImpacts("UNDER_MAINTENANCE")).toEqual([]);
  });

  it("colours the page indicator like the worst service", () => {
    expect(["NONE", "MINOR", "MAJOR", "CRITICAL", "MAINTENANCE"].map(tone)).toEqual(["ok", "minor", "major", "critical", "maintenance"]);
  });
});
