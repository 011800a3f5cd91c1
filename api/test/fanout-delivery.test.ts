// Live delivery without a promise per socket (docs/adr/0015): the hub hands each live event to
// the subscriptions synchronously and a frame writer sends every socket its frames in passes,
// several frames in one write when they pile up. What a subscriber must still see: every event
// exactly once, in log order, whether it listened live, resumed with a cursor in the middle of a
// burst, or shares its socket with other subscriptions; and a socket that stops reading is still
// cut off (1013) without holding back anyone else. Raw sockets, so the test sees every message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { fanOutStats } from "../src/graphql/shared-execution.ts";
import { createTenant, type Tenant } from "./fixtures.ts";
import { ok, startTestApp, type TestApp } from "./harness.ts";

const SELECTION = `cursor kind incident { id title updates { message } }`;
const PAGE_EVENTS = `subscription($slug: String!, $after: String) { statusPageEvents(slug: $slug, after: $after) { ${SELECTION} } }`;
const ORG_EVENTS = `subscription($organizationId: ID!, $after: String) { organizationEvents(organizationId: $organizationId, after: $after) { ${SELECTION} } }`;
const OPEN_INCIDENT = `mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`;
const UPDATE_INCIDENT = `mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { id } }`;

interface Message {
  id?: string;
  type: string;
  payload?: { data?: { statusPageEvents?: { cursor: string }; organizationEvents?: { cursor: string } } };
}

/** One graphql-transport-ws socket carrying any number of subscriptions; keeps every message. */
class RawSocket {
  readonly messages: Message[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<number>;
  private readonly acked: Promise<void>;

  constructor(url: string, token?: string) {
    this.socket = new WebSocket(url, "graphql-transport-ws");
    this.closed = new Promise((resolve) => this.socket.once("close", (code: number) => resolve(code)));
    this.acked = new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.on("open", () => this.socket.send(JSON.stringify({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} })));
      this.socket.on("message", (data: Buffer) => {
        const message = JSON.parse(data.toString()) as Message;
        if (message.type === "connection_ack") resolve();
        else this.messages.push(message);
      });
    });
  }

  async subscribe(id: string, query: string, variables: Record<string, unknown>): Promise<void> {
    await this.acked;
    this.socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
  }

  /** The cursors of the `next` messages of subscription `id`, in the order they arrived. */
  cursors(id: string): string[] {
    return this.messages
      .filter((m) => m.id === id && m.type === "next")
      .map((m) => (m.payload?.data?.statusPageEvents ?? m.payload?.data?.organizationEvents)!.cursor);
  }

  /** Messages other than `next`: an `error` or `complete` here means a subscription ended. */
  others(): Message[] {
    return this.messages.filter((m) => m.type !== "next");
  }
}

async function until(condition: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const wsUrl = (t: TestApp, path: string) => t.url.replace(/^http/, "ws") + path;

describe("live delivery under a burst", () => {
  let t: TestApp;
  let a: Tenant;
  let incidentId: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t);
    const created = ok(await t.gql<{ createIncident: { id: string } }>(OPEN_INCIDENT, { input: { serviceIds: [a.serviceId], title: "Slow API", message: "Investigating", impact: "DEGRADED_PERFORMANCE" } }, { token: a.admin }));
    incidentId = created.createIncident.id;
  });
  afterAll(() => t?.stop());

  it("gives every subscriber every event of a burst exactly once, in log order: live, resumed mid-burst, and several on one socket", async () => {
    const rename = (title: string) => t.gql(UPDATE_INCIDENT, { input: { id: incidentId, title } }, { token: a.admin }).then(ok);
    const sockets: RawSocket[] = [];
    /** [socket, subscription id] of every subscription that must see the whole burst. */
    const subscriptions: [RawSocket, string][] = [];
    const open = async (path: string, token: string | undefined, count: number, query: string, variables: Record<string, unknown>) => {
      const socket = new RawSocket(wsUrl(t, path), token);
      sockets.push(socket);
      for (let i = 0; i < count; i++) {
        const id = `${sockets.length}-${i}`;
        await socket.subscribe(id, query, variables);
        subscriptions.push([socket, id]);
      }
      return socket;
    };
    try {
      // 20 public sockets with one subscription, 5 with three (their frames share a socket), 5 members.
      for (let i = 0; i < 20; i++) await open("/graphql/public", undefined, 1, PAGE_EVENTS, { slug: a.slug });
      for (let i = 0; i < 5; i++) await open("/graphql/public", undefined, 3, PAGE_EVENTS, { slug: a.slug });
      for (let i = 0; i < 5; i++) await open("/graphql", a.member, 1, ORG_EVENTS, { organizationId: a.orgId });
      await until(() => t.app.services.hub.stats().subscribers >= 40, () => `40 subscribers, the hub has ${t.app.services.hub.stats().subscribers}`);

      // One change before the burst: its cursor is where the late subscribers resume.
      await rename("Slow API (before)");
      const [first, firstId] = subscriptions[0]!;
      await until(() => first.cursors(firstId).length === 1, () => "the first event");
      const resumeAfter = first.cursors(firstId)[0]!;

      const direct = fanOutStats.direct;
      const burst = Array.from({ length: 40 }, (_, k) => rename(`Slow API (burst ${k})`));
      // Five subscribers that resume from before the burst while it runs: replay, then live.
      const late: RawSocket[] = [];
      for (let i = 0; i < 5; i++) late.push(await open("/graphql/public", undefined, 1, PAGE_EVENTS, { slug: a.slug, after: resumeAfter }));
      await Promise.all(burst);

      const everyone = subscriptions.length;
      const expected = (socket: RawSocket) => (late.includes(socket) ? 40 : 41);
      await until(
        () => subscriptions.every(([socket, id]) => socket.cursors(id).length >= expected(socket)),
        () => `every subscription's 41 events: ${subscriptions.map(([s, id]) => s.cursors(id).length).join(",")}`,
      );
      // A moment for anything that should not come (a duplicate) to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const reference = first.cursors(firstId);
      expect(reference).toHaveLength(41);
      expect([...reference].sort()).toEqual(reference); // cursors sort in log order
      expect(new Set(reference).size).toBe(41);
      for (const [socket, id] of subscriptions) {
        expect(socket.cursors(id)).toEqual(late.includes(socket) ? reference.slice(1) : reference);
      }
      for (const socket of sockets) expect(socket.others()).toEqual([]);
      expect(everyone).toBe(45);
      // The live subscriptions took the burst from the hub's push, not through a promise each.
      expect(fanOutStats.direct - direct).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.socket.close();
    }
  });
});

describe("a socket that stops reading", () => {
  let t: TestApp;
  let a: Tenant;
  let incidentId: string;
  beforeAll(async () => {
    // A small cut-off so that a few changes overflow it (the default is 1,000 events).
    t = await startTestApp({}, { hub: { maxBuffered: 5 } });
    a = await createTenant(t);
    const long = "x".repeat(5000);
    const created = ok(await t.gql<{ createIncident: { id: string } }>(OPEN_INCIDENT, { input: { serviceIds: [a.serviceId], title: "Big", message: long, impact: "DEGRADED_PERFORMANCE" } }, { token: a.admin }));
    incidentId = created.createIncident.id;
    // A timeline of ~20 KB: each event's payload carries it.
    for (let i = 0; i < 3; i++) ok(await t.gql(UPDATE_INCIDENT, { input: { id: incidentId, message: `${i} ${long.slice(2)}` } }, { token: a.admin }));
  });
  afterAll(() => t?.stop());

  it("is closed with 1013 once its subscriptions fall too far behind, while a reading subscriber gets every event", async () => {
    const slow = new RawSocket(wsUrl(t, "/graphql/public"));
    const healthy = new RawSocket(wsUrl(t, "/graphql/public"));
    try {
      // Forty subscriptions on the slow socket: each change is ~800 KB for it.
      for (let i = 0; i < 40; i++) await slow.subscribe(`s${i}`, PAGE_EVENTS, { slug: a.slug });
      await healthy.subscribe("h", PAGE_EVENTS, { slug: a.slug });
      await until(() => t.app.services.hub.stats().subscribers >= 41, () => `41 subscribers, the hub has ${t.app.services.hub.stats().subscribers}`);
      slow.socket.pause(); // stops reading: the kernel's buffers fill, then the server's

      let changes = 0;
      // Until one of the slow socket's subscriptions overflowed (the hub lets it go at once).
      while (t.app.services.hub.stats().subscribers >= 41 && changes < 60) {
        ok(await t.gql(UPDATE_INCIDENT, { input: { id: incidentId, title: `Big (${changes++})` } }, { token: a.admin }));
        await until(() => healthy.cursors("h").length === changes, () => `the healthy subscriber's event ${changes}`);
      }
      expect(changes).toBeLessThan(60);
      slow.socket.resume(); // it reads what was sent, then the close
      expect(await slow.closed).toBe(1013);
      const seen = healthy.cursors("h");
      expect(seen).toHaveLength(changes);
      expect(new Set(seen).size).toBe(changes);
      expect(healthy.others()).toEqual([]);
      // The slow socket got a prefix of the events, in order, never one twice.
      for (let i = 0; i < 40; i++) {
        const got = slow.cursors(`s${i}`);
        expect(got).toEqual(seen.slice(0, got.length));
      }
    } finally {
      slow.socket.terminate();
      healthy.socket.close();
    }
  });
});
