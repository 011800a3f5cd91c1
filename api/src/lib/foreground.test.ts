// Foreground work (an admin's write) goes before the fan-out's slices, for at most MAX_DEFER_MS.
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { foregroundBusy, foregroundStarted, MAX_DEFER_MS, whenForegroundIdle } from "./foreground.ts";
import { FrameWriter, SocketFrames } from "./frame-writer.ts";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordingSocket() {
  const writes: Buffer[] = [];
  const socket = { OPEN: 1, readyState: 1 } as unknown as WebSocket;
  const stream = { writableLength: 0, write: (chunk: Buffer) => (writes.push(Buffer.from(chunk)), true) } as unknown as Duplex;
  return { writes, frames: new SocketFrames(socket, stream) };
}

describe("foreground", () => {
  it("runs a slice on the next turn when nothing is in the foreground", async () => {
    let ran = false;
    whenForegroundIdle(() => (ran = true));
    expect(ran).toBe(false);
    await nextTurn();
    expect(ran).toBe(true);
  });

  it("holds slices while a write is in flight and runs them, in order, once it is answered", async () => {
    const done = foregroundStarted();
    expect(foregroundBusy()).toBe(true);
    const ran: number[] = [];
    whenForegroundIdle(() => ran.push(1));
    whenForegroundIdle(() => ran.push(2));
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual([]);
    done();
    done(); // a second call (finish, then close) changes nothing
    expect(foregroundBusy()).toBe(false);
    await nextTurn();
    expect(ran).toEqual([1, 2]);
  });

  it("waits for every write in flight, not only the first to finish", async () => {
    const first = foregroundStarted();
    const second = foregroundStarted();
    let ran = false;
    whenForegroundIdle(() => (ran = true));
    first();
    await nextTurn();
    expect(ran).toBe(false);
    second();
    await nextTurn();
    expect(ran).toBe(true);
  });

  it("never holds a slice for longer than MAX_DEFER_MS, however long the write takes", async () => {
    const done = foregroundStarted();
    let ran = false;
    whenForegroundIdle(() => (ran = true));
    await sleep(MAX_DEFER_MS + 20);
    expect(ran).toBe(true);
    // The period is past its priority: later slices no longer wait for it.
    expect(foregroundBusy()).toBe(false);
    let later = false;
    whenForegroundIdle(() => (later = true));
    await nextTurn();
    expect(later).toBe(true);
    done();
    // A new period has priority again.
    const next = foregroundStarted();
    expect(foregroundBusy()).toBe(true);
    next();
  });

  it("keeps a socket's frames back until the write that made them has been answered", async () => {
    const writer = new FrameWriter();
    const a = recordingSocket();
    const done = foregroundStarted();
    void writer.queue(a.frames, Buffer.from('{"id":"1","type":"next","payload":'), Buffer.from('{"n":1}'));
    await nextTurn();
    expect(a.writes).toHaveLength(0);
    done();
    await nextTurn();
    expect(a.writes).toHaveLength(1);
    expect(a.writes[0]!.toString("utf8", 2)).toBe('{"id":"1","type":"next","payload":{"n":1}}');
  });
});
