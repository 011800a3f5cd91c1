import { describe, expect, it } from "vitest";
import type { IncidentStatus } from "../../generated/prisma/enums.ts";
import { AppError } from "../../graphql/errors.ts";
import { nextIncidentStatus } from "./domain.ts";

const ORDER: IncidentStatus[] = ["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"];

describe("nextIncidentStatus", () => {
  const table = ORDER.flatMap((from) => ORDER.map((to) => [from, to] as const));
  it.each(table)("%s -> %s", (from, to) => {
    const forward = ORDER.indexOf(to) >= ORDER.indexOf(from);
    if (forward) {
      expect(nextIncidentStatus(from, to)).toBe(to);
    } else {
      expect(() => nextIncidentStatus(from, to)).toThrow(AppError);
      try {
        nextIncidentStatus(from, to);
      } catch (error) {
        expect((error as AppError).code).toBe("INVALID_TRANSITION");
      }
    }
  });
  it("keeps the status when an update carries only a message", () => {
    for (const s of ORDER) expect(nextIncidentStatus(s, null)).toBe(s);
  });
  it("never reopens a resolved incident", () => {
    for (const s of ORDER.slice(0, 3)) expect(() => nextIncidentStatus("RESOLVED", s)).toThrow(/cannot be reopened/);
  });
});
