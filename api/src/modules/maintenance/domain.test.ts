import { describe, expect, it } from "vitest";
import type { MaintenanceStatus } from "../../generated/prisma/enums.ts";
import { checkOpen, checkStartEditable, checkWindow, isDue } from "./domain.ts";

describe("maintenance rules", () => {
  it("refuses a window that does not end after it starts", () => {
    const start = new Date("2026-01-01T10:00:00Z");
    expect(() => checkWindow(start, start)).toThrow(/later than/);
    expect(() => checkWindow(start, new Date("2026-01-01T09:00:00Z"))).toThrow(/later than/);
    expect(() => checkWindow(start, new Date("2026-01-01T11:00:00Z"))).not.toThrow();
  });
  it.each([
    ["SCHEDULED", true],
    ["IN_PROGRESS", true],
    ["COMPLETED", false],
    ["CANCELLED", false],
  ] as [MaintenanceStatus, boolean][])("%s can be edited and cancelled: %s", (status, open) => {
    if (open) {
      expect(() => checkOpen(status, "edit")).not.toThrow();
      expect(() => checkOpen(status, "cancel")).not.toThrow();
    } else {
      expect(() => checkOpen(status, "edit")).toThrow(/cannot be edited/);
      expect(() => checkOpen(status, "cancel")).toThrow(/cannot be cancelled/);
    }
  });
  it("does not move the start of a window in progress", () => {
    expect(() => checkStartEditable("IN_PROGRESS", true)).toThrow();
    expect(() => checkStartEditable("IN_PROGRESS", false)).not.toThrow();
    expect(() => checkStartEditable("SCHEDULED", true)).not.toThrow();
  });
});

describe("isDue", () => {
  const at = (iso: string) => new Date(iso);
  const window = (status: "SCHEDULED" | "IN_PROGRESS" | "COMPLETED" | "CANCELLED") => ({ status, scheduledStart: at("2026-01-01T10:00:00Z"), scheduledEnd: at("2026-01-01T11:00:00Z") });
  it.each([
    ["SCHEDULED", "2026-01-01T09:59:59Z", false],
    ["SCHEDULED", "2026-01-01T10:00:00Z", true],
    ["IN_PROGRESS", "2026-01-01T10:59:59Z", false],
    ["IN_PROGRESS", "2026-01-01T11:00:00Z", true],
    ["COMPLETED", "2026-01-01T12:00:00Z", false],
    ["CANCELLED", "2026-01-01T10:30:00Z", false],
  ] as const)("%s at %s is due: %s", (status, now, due) => {
    expect(isDue(window(status), at(now))).toBe(due);
  });
});
