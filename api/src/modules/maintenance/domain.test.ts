import { describe, expect, it } from "vitest";
import type { MaintenanceStatus } from "../../generated/prisma/enums.ts";
import { checkOpen, checkStartEditable, checkWindow } from "./domain.ts";

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
