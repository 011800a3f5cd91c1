// The hub delivers events carried by an announcement only when they continue its log exactly;
// anything else means "read the log" (docs/adr/0022).
import { describe, expect, it } from "vitest";
import type { Event } from "../../generated/prisma/client.ts";
import { continuation } from "./hub.ts";

const event = (position: number): Event => ({
  organizationId: "org",
  position: BigInt(position),
  kind: "INCIDENT_UPDATED",
  occurredAt: new Date(0),
  serviceId: null,
  incidentId: "inc",
  maintenanceId: null,
  serviceStatus: null,
});

describe("continuation of carried events", () => {
  it("takes events that start right after the last delivered and end at the announced position", () => {
    expect(continuation([event(5), event(6)], 4n, 6n)?.map((e) => e.position)).toEqual([5n, 6n]);
  });

  it("drops what was already delivered and keeps the rest", () => {
    expect(continuation([event(5), event(6)], 5n, 6n)?.map((e) => e.position)).toEqual([6n]);
  });

  it("refuses a gap before, a gap between, nothing new, or an announcement beyond them", () => {
    expect(continuation([event(6)], 4n, 6n)).toBeNull(); // 5 not seen yet (lost or overtaken)
    expect(continuation([event(5), event(7)], 4n, 7n)).toBeNull();
    expect(continuation([event(5)], 5n, 5n)).toBeNull();
    expect(continuation([event(5)], 4n, 6n)).toBeNull();
  });
});
