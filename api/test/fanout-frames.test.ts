// Fan-out at wire speed (issue 10 item 4, docs/adr/0014): one change reaching many WebSocket
// subscribers is executed and serialised once per audience and selection, and every socket gets
// the same payload bytes in a frame that differs only by its own subscription id. Raw sockets
// here, not graphql-ws' client, so the test sees the exact bytes on the wire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { fanOutStats } from "../src/graphql/shared-execution.ts";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";
import { ORG_EVENTS, PAGE_EVENTS } from "./realtime-kit.ts";

let t: TestApp;
let a: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  a = await createTenant(t);
});
afterAll(() => t?.stop());

const SET_STATUS = `mutation($id: ID!, $status: ServiceStatus!) { setServiceStatus(input: { id: $id, status: $status }) { id } }`;
const PAGE_STATUS_ONLY = `subscription($slug: String!) { statusPageEvents(slug: $slug) { cursor serviceStatus } }`;

interface RawSubscriber {
  id: string;
  frames: string[];
  socket: WebSocket;
}

/** A graphql-transport-ws subscriber that keeps every `next` message as the text received. */
function subscribeRaw(path: string, id: string, query: string, variables: Record<string, unknown>, token?: string): Promise<RawSubscriber> {
  const socket = new WebSocket(t.url.replace(/^http/, "ws") + path, "graphql-transport-ws");
  const frames: string[] = [];
  return new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} })));
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      const text = data.toString();
      const message = JSON.parse(text) as { type: string };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
        resolve({ id, frames, socket });
      } else if (message.type === "next") {
        expect(isBinary).toBe(false);
        frames.push(text);
      }
    });
  });
}

async function waitForFrames(subscribers: RawSubscriber[], count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (subscribers.some((s) => s.frames.length < count)) {
    if (Date.now() > deadline) throw new Error(`frames: ${subscribers.map((s) => s.frames.length).join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The payload text of a frame, checking the frame is exactly graphql-ws' `next` message for `id`. */
function payloadOf(frame: string, id: string): string {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  expect(frame.startsWith(head) && frame.endsWith("}")).toBe(true);
  expect(JSON.parse(frame)).toMatchObject({ id, type: "next" });
  return frame.slice(head.length, -1);
}

describe("fan-out frames", () => {
  it("serialises one change once per audience and selection, and sends every subscriber the same payload under its own id", async () => {
    const groups = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => subscribeRaw("/graphql/public", `page-${i}`, PAGE_EVENTS, { slug: a.slug }))),
      // Same selection, resuming from different places: `after` is not part of the selection.
      Promise.all(Array.from({ length: 15 }, (_, i) => subscribeRaw("/graphql/public", `short-${i}`, PAGE_STATUS_ONLY, { slug: a.slug }))),
      Promise.all(Array.from({ length: 15 }, (_, i) => subscribeRaw("/graphql", `member-${i}`, ORG_EVENTS, { organizationId: a.orgId }, a.member))),
    ]);
    const everyone = groups.flat();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // subscriptions register
      const before = { ...fanOutStats };
      ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "PARTIAL_OUTAGE" }, { token: a.admin }));
      await waitForFrames(everyone, 1);
      expect(fanOutStats.deliveries - before.deliveries).toBe(50);
      expect(fanOutStats.executions - before.executions).toBe(3);
      expect(fanOutStats.serialisations - before.serialisations).toBe(3);
      const payloads = groups.map((group) => new Set(group.map((s) => payloadOf(s.frames[0]!, s.id))));
      for (const set of payloads) expect(set.size).toBe(1);
      const [page, short, member] = payloads.map((set) => JSON.parse([...set][0]!) as { data: Record<string, { serviceStatus: string; service?: unknown }> });
      expect(page!.data.statusPageEvents).toMatchObject({ serviceStatus: "PARTIAL_OUTAGE", service: { id: a.serviceId } });
      expect(Object.keys(short!.data.statusPageEvents!)).toEqual(["cursor", "serviceStatus"]);
      expect(member!.data.organizationEvents).toMatchObject({ serviceStatus: "PARTIAL_OUTAGE" });
    } finally {
      for (const s of everyone) s.socket.close();
    }
  });

  it("still completes a subscription the client stops, and takes it off the hub at once", async () => {
    const s = await subscribeRaw("/graphql/public", "one", PAGE_EVENTS, { slug: a.slug });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.app.services.hub.stats().subscribers).toBe(1);
      s.socket.send(JSON.stringify({ id: "one", type: "complete" }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.app.services.hub.stats().subscribers).toBe(0);
      ok(await t.gql(SET_STATUS, { id: a.serviceId, status: "OPERATIONAL" }, { token: a.admin }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(s.frames).toHaveLength(0);
    } finally {
      s.socket.close();
    }
  });
});
