import { describe, expect, it } from "vitest";
import { formatDay, formatInZone, formatUtc, fromZonedInput, toZonedInput, zoneAbbreviation, zoneLabel } from "./time.ts";

describe("times in the viewer's zone, named", () => {
  it("shows the wall-clock time of the zone with its name, in the locale's words", () => {
    expect(formatInZone("2026-12-02T13:05:00Z", "Europe/Berlin", "en-GB")).toBe("2 Dec 2026, 14:05 CET");
    expect(formatInZone("2026-07-02T13:05:00Z", "Europe/Berlin", "en-GB")).toBe("2 Jul 2026, 15:05 CEST");
    expect(formatInZone("2026-12-02T13:05:00Z", "America/New_York", "en-US")).toBe("Dec 2, 2026, 8:05 AM EST");
    expect(formatInZone("2026-12-02T13:05:00Z", "UTC", "en-GB")).toBe("2 Dec 2026, 13:05 UTC");
  });

  it("names the offset where the locale has no abbreviation for the zone", () => {
    expect(zoneAbbreviation("Asia/Kolkata", "2026-12-02T00:00:00Z", "en-US")).toBe("GMT+5:30");
    expect(formatInZone("2026-12-02T13:05:00Z", "Asia/Kolkata", "en-GB")).toMatch(/^2 Dec 2026, 18:35 (IST|GMT\+5:30)$/);
  });

  it("gives the same instant in UTC whatever the zone", () => {
    expect(formatUtc("2026-12-02T13:05:59.999Z")).toBe("2026-12-02 13:05 UTC");
  });

  it("says which zone a form's times are in", () => {
    expect(zoneLabel("America/New_York", "2026-12-02T00:00:00Z", "en-US")).toBe("America/New York (EST)");
    expect(zoneLabel("UTC", "2026-12-02T00:00:00Z", "en-US")).toBe("UTC");
  });

  it("writes an uptime day (a UTC date) as that date in every zone", () => {
    expect(formatDay("2026-12-02", "en-GB")).toMatch(/^Wed,? 2 Dec 2026$/);
    expect(formatDay("2026-12-02", "en-US")).toMatch(/^Wed, Dec 2, 2026$/);
  });
});

describe("datetime-local values on a zone's wall clock", () => {
  const cases: [zone: string, local: string, utc: string][] = [
    ["Europe/Berlin", "2026-12-02T14:05", "2026-12-02T13:05:00.000Z"],
    ["Europe/Berlin", "2026-07-02T14:05", "2026-07-02T12:05:00.000Z"],
    ["America/New_York", "2027-01-15T09:00", "2027-01-15T14:00:00.000Z"],
    ["Asia/Kolkata", "2026-12-02T00:00", "2026-12-01T18:30:00.000Z"],
    ["Pacific/Auckland", "2026-12-31T23:30", "2026-12-31T10:30:00.000Z"],
    ["UTC", "2026-12-02T14:05", "2026-12-02T14:05:00.000Z"],
  ];
  it.each(cases)("in %s, %s is %s and back", (zone, local, utc) => {
    expect(fromZonedInput(local, zone)).toBe(utc);
    expect(toZonedInput(utc, zone)).toBe(local);
  });

  it("reads a time the clocks pass twice as the first, and one they skip as just after the change", () => {
    // Berlin, 25 Oct 2026: 02:30 happens in CEST (00:30Z) and again in CET (01:30Z).
    expect(fromZonedInput("2026-10-25T02:30", "Europe/Berlin")).toBe("2026-10-25T00:30:00.000Z");
    // Berlin, 29 Mar 2026: 02:30 does not exist; it is read as 03:30 CEST.
    expect(fromZonedInput("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
  });

  it("refuses what is no date", () => {
    expect(fromZonedInput("", "Europe/Berlin")).toBeNull();
    expect(fromZonedInput("tomorrow", "Europe/Berlin")).toBeNull();
  });
});
