import { describe, expect, it } from "vitest";
import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import { AppError } from "../../graphql/errors.ts";
import { pageIndicator, statusAfterIncidentEnds, statusAfterMaintenanceEnds, worsenByIncident, groupSpelling, sameServiceName } from "./domain.ts";

const ALL: ServiceStatus[] = ["OPERATIONAL", "DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "UNDER_MAINTENANCE"];

// Every (from, impact) pair: the seed design's table, kept exactly.
const ALLOWED = new Set([
  "OPERATIONAL>DEGRADED_PERFORMANCE",
  "OPERATIONAL>PARTIAL_OUTAGE",
  "OPERATIONAL>MAJOR_OUTAGE",
  "DEGRADED_PERFORMANCE>PARTIAL_OUTAGE",
  "DEGRADED_PERFORMANCE>MAJOR_OUTAGE",
  "PARTIAL_OUTAGE>MAJOR_OUTAGE",
]);

describe("worsenByIncident", () => {
  const table = ALL.flatMap((from) => ALL.map((impact) => [from, impact] as const));
  it.each(table)("%s with impact %s", (from, impact) => {
    if (ALLOWED.has(`${from}>${impact}`)) {
      expect(worsenByIncident(from, impact)).toBe(impact);
    } else {
      let caught: unknown;
      try {
        worsenByIncident(from, impact);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe("INVALID_TRANSITION");
    }
  });
  it("allows exactly six transitions", () => {
    expect(ALLOWED.size).toBe(6);
  });
});

describe("statusAfterIncidentEnds", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  it("returns to OPERATIONAL when no other incident is active", () => {
    expect(statusAfterIncidentEnds("MAJOR_OUTAGE", [])).toEqual({ status: "OPERATIONAL", source: "DEFAULT", incidentId: null });
  });
  it("takes the toStatus of the most recent other active incident, not the worst", () => {
    const others = [
      { incidentId: "a", toStatus: "MAJOR_OUTAGE" as const, createdAt: t(1) },
      { incidentId: "b", toStatus: "DEGRADED_PERFORMANCE" as const, createdAt: t(5) },
      { incidentId: "c", toStatus: "PARTIAL_OUTAGE" as const, createdAt: t(3) },
    ];
    expect(statusAfterIncidentEnds("MAJOR_OUTAGE", others)).toEqual({ status: "DEGRADED_PERFORMANCE", source: "INCIDENT", incidentId: "b" });
  });
  it("leaves a service under maintenance where it is", () => {
    expect(statusAfterIncidentEnds("UNDER_MAINTENANCE", [])).toBeNull();
    expect(statusAfterIncidentEnds("UNDER_MAINTENANCE", [{ incidentId: "a", toStatus: "MAJOR_OUTAGE", createdAt: t(1) }])).toBeNull();
  });
});

describe("statusAfterMaintenanceEnds", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  it("stays under maintenance while another window holds the service", () => {
    expect(statusAfterMaintenanceEnds(true, [])).toBeNull();
  });
  it("returns to OPERATIONAL with no active incident", () => {
    expect(statusAfterMaintenanceEnds(false, [])).toEqual({ status: "OPERATIONAL", source: "DEFAULT", incidentId: null });
  });
  it("takes the most recent active incident's status", () => {
    const active = [
      { incidentId: "a", toStatus: "PARTIAL_OUTAGE" as const, createdAt: t(1) },
      { incidentId: "b", toStatus: "MAJOR_OUTAGE" as const, createdAt: t(2) },
    ];
    expect(statusAfterMaintenanceEnds(false, active)).toEqual({ status: "MAJOR_OUTAGE", source: "INCIDENT", incidentId: "b" });
  });
});

describe("pageIndicator", () => {
  it.each([
    [[], "NONE"],
    [["OPERATIONAL", "OPERATIONAL"], "NONE"],
    [["OPERATIONAL", "DEGRADED_PERFORMANCE"], "MINOR"],
    [["DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE"], "MAJOR"],
    [["PARTIAL_OUTAGE", "MAJOR_OUTAGE", "OPERATIONAL"], "CRITICAL"],
    [["UNDER_MAINTENANCE", "OPERATIONAL"], "MAINTENANCE"],
    [["UNDER_MAINTENANCE", "DEGRADED_PERFORMANCE"], "MINOR"],
    [["UNDER_MAINTENANCE", "MAJOR_OUTAGE"], "CRITICAL"],
  ] as [ServiceStatus[], string][])("%j -> %s", (statuses, expected) => {
    expect(pageIndicator(statuses)).toBe(expected);
  });
});

describe("groupSpelling", () => {
  it.each([
    ["frontend", ["Frontend", null, "Backend"], "Frontend"],
    [" FRONTEND ", ["Backend", "Frontend"], "Frontend"],
    ["Frontend", ["frontend", "Frontend"], "frontend"],
    ["Edge", ["Frontend", null], "Edge"],
    ["  Edge  ", [], "Edge"],
  ] as [string, (string | null)[], string][])("%j among %j -> %j", (wanted, existing, expected) => {
    expect(groupSpelling(wanted, existing)).toBe(expected);
  });
});

describe("sameServiceName", () => {
  it.each([
    ["API", "api", true],
    ["API", " API ", true],
    ["API", "API v2", false],
    ["Straße", "STRASSE", false],
  ])("%j and %j: %s", (a, b, expected) => {
    expect(sameServiceName(a, b)).toBe(expected);
  });
});
