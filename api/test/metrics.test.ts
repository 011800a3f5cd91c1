// GET /metrics (METRICS=1, lib/metrics.ts): off by default; when on, it counts the database
// statements a request causes, which the benchmark's S6 reports per change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.ts";

interface Snapshot {
  eventLoopDelayP99Ms: number;
  rssBytes: number;
  dbQueries: number;
}

describe("GET /metrics", () => {
  let off: TestApp;
  let on: TestApp;
  beforeAll(async () => {
    [off, on] = await Promise.all([startTestApp(), startTestApp({ metrics: true })]);
  });
  afterAll(async () => {
    await Promise.all([off?.stop(), on?.stop()]);
  });

  it("is not served unless METRICS=1", async () => {
    const response = await fetch(`${off.url}/metrics`);
    expect(await response.text()).not.toContain("dbQueries");
  });

  it("reports loop delay, RSS and a query count that grows with database work", async () => {
    const before = (await (await fetch(`${on.url}/metrics`)).json()) as Snapshot;
    await on.gql(`{ statusPage(slug: "no-such-page") { organization { slug } } }`, {}, { endpoint: "/graphql/public" });
    const after = (await (await fetch(`${on.url}/metrics`)).json()) as Snapshot;
    expect(after.dbQueries).toBeGreaterThan(before.dbQueries);
    expect(after.rssBytes).toBeGreaterThan(0);
    expect(Number.isFinite(after.eventLoopDelayP99Ms)).toBe(true);
  });
});
