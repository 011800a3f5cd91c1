// The frame writer: what each socket receives, in which writes, in which order.
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { FrameWriter, SocketFrames } from "./frame-writer.ts";

/** A socket whose TCP stream records each write; `open` as ws' readyState says. */
function fakeSocket() {
  const writes: Buffer[] = [];
  const socket = { OPEN: 1, readyState: 1 } as unknown as WebSocket & { readyState: number };
  const stream = {
    writableLength: 0,
    write(chunk: Buffer, callback?: () => void) {
      writes.push(Buffer.from(chunk));
      if (callback) queueMicrotask(callback);
      return true;
    },
  } as unknown as Duplex;
  return { socket, writes, frames: new SocketFrames(socket, stream) };
}

/** The text messages in the bytes of one write (unmasked frames, lengths under 126). */
function messages(write: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < write.length; ) {
    expect(write[at]).toBe(0x81);
    const length = write[at + 1]!;
    out.push(write.toString("utf8", at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const head = (id: string) => Buffer.from(`{"id":"${id}","type":"next","payload":`);

describe("FrameWriter", () => {
  it("writes each socket's frames of one turn in one write, in the order queued", async () => {
    const writer = new FrameWriter();
    const a = fakeSocket();
    const b = fakeSocket();
    void writer.queue(a.frames, head("1"), Buffer.from('{"n":1}'));
    void writer.queue(b.frames, head("9"), Buffer.from('{"n":1}'));
    void writer.queue(a.frames, head("2"), Buffer.from('{"n":2}'));
    expect(a.writes).toHaveLength(0); // nothing leaves before the pass
    await nextTurn();
    expect(a.writes.map(messages)).toEqual([['{"id":"1","type":"next","payload":{"n":1}}', '{"id":"2","type":"next","payload":{"n":2}}']]);
    expect(b.writes.map(messages)).toEqual([['{"id":"9","type":"next","payload":{"n":1}}']]);
    // The next event is a new pass, with the same (reused) per-socket state.
    void writer.queue(a.frames, head("1"), Buffer.from('{"n":3}'));
    await nextTurn();
    expect(a.writes.map(messages)[1]).toEqual(['{"id":"1","type":"next","payload":{"n":3}}']);
    // A later backlog reuses the socket's slots: exactly its own frames, in order, none of before.
    for (const n of [4, 5, 6]) void writer.queue(a.frames, head("1"), Buffer.from(`{"n":${n}}`));
    await nextTurn();
    expect(a.writes.map(messages)[2]).toEqual([4, 5, 6].map((n) => `{"id":"1","type":"next","payload":{"n":${n}}}`));
    void writer.queue(a.frames, head("1"), Buffer.from('{"n":7}'));
    await nextTurn();
    expect(a.writes.map(messages)[3]).toEqual(['{"id":"1","type":"next","payload":{"n":7}}']);
  });

  it("flushes before a protocol message and does not write the same frames again", async () => {
    const writer = new FrameWriter();
    const a = fakeSocket();
    void writer.queue(a.frames, head("1"), Buffer.from("1"));
    writer.flush(a.frames);
    expect(a.writes.map(messages)).toEqual([['{"id":"1","type":"next","payload":1}']]);
    void writer.queue(a.frames, head("1"), Buffer.from("2")); // queued after the flush: a later write
    await nextTurn();
    expect(a.writes.map(messages)).toEqual([['{"id":"1","type":"next","payload":1}'], ['{"id":"1","type":"next","payload":2}']]);
  });

  it("drops the frames of a socket closed before the pass, and answers a backed-up sender once written", async () => {
    const writer = new FrameWriter();
    const closed = fakeSocket();
    void writer.queue(closed.frames, head("1"), Buffer.from("1"));
    closed.socket.readyState = 3;
    const full = fakeSocket();
    (full.frames.stream as { writableLength: number }).writableLength = 256 * 1024;
    const backedUp = writer.queue(full.frames, head("1"), Buffer.from("1"));
    expect(backedUp).toBeInstanceOf(Promise);
    await nextTurn();
    await backedUp;
    expect(closed.writes).toHaveLength(0);
    expect(full.writes).toHaveLength(1);
  });

  it("stays behind for a while without losing, repeating or reordering a frame, and without growing", async () => {
    const writer = new FrameWriter();
    const sockets = Array.from({ length: 500 }, () => {
      const socket = fakeSocket();
      const write = socket.frames.stream.write.bind(socket.frames.stream);
      // 20 µs a write: a pass covers a few dozen sockets before it yields.
      socket.frames.stream.write = ((chunk: Buffer) => {
        const until = performance.now() + 0.02;
        while (performance.now() < until);
        return write(chunk);
      }) as Duplex["write"];
      return socket;
    });
    const pending = () => (writer as unknown as { pending: unknown[] }).pending.length;
    // An event every turn for every socket: the writer is behind the whole time.
    const events = 300;
    let largest = 0;
    for (let n = 1; n <= events; n++) {
      for (const { frames } of sockets) void writer.queue(frames, head("1"), Buffer.from(String(n)));
      await nextTurn();
      largest = Math.max(largest, pending());
    }
    const received = (writes: Buffer[]) => Buffer.concat(writes).toString("latin1");
    const expected = Array.from({ length: events }, (_, i) => `{"id":"1","type":"next","payload":${i + 1}}`);
    const framed = (text: string) => `\x81${String.fromCharCode(text.length)}${text}`;
    const all = expected.map(framed).join("");
    while (sockets.some(({ writes }) => received(writes).length < all.length)) await nextTurn();
    for (const { writes } of sockets) expect(received(writes)).toBe(all);
    const written = sockets.reduce((sum, { writes }) => sum + writes.length, 0);
    expect(written).toBeGreaterThan(4096 + sockets.length); // behind for longer than the compaction point
    expect(largest).toBeLessThan(4096 + 2 * sockets.length); // (a slot per write, without it)
  });
});
