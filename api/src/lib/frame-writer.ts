// The writer of every `next` frame sent by lib/websocket.ts (docs/adr/0015, 0022, 0024, 0025).
//
// Nothing here is allocated per frame but the one buffer each socket's write needs: a socket's
// waiting frames live in its SocketFrames (made once per socket, reused for every event), and
// the sockets waiting for a pass in one array that keeps its capacity. At S4's 100,000 frames a
// second, a small object, an array and a Map entry per frame lived just long enough (queued
// during the hub's slices, written during the writer's) to survive young-generation collections:
// about 4 MB promoted per scavenge, scavenges of 7–15 ms every ~120 ms: pauses that a
// mutation's statements, each waiting for a turn of the loop, kept running into (a V8 sampling
// heap profile of the promoted objects: docs/adr/0025).
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { whenForegroundIdle } from "./foreground.ts";

/** Bytes a socket may have waiting before its subscriptions wait for it to drain. */
const BACKED_UP = 256 * 1024;
/** How long one pass of the writer may run before it lets the event loop turn. */
export const WRITE_SLICE_MS = 0.5;
const FRAME_TAIL = 0x7d; // "}"
/** Written slots at the front of `pending` after which a pass moves the waiting ones up. */
const COMPACT_AFTER = 4096;

/** One socket's frames waiting for the writer's next pass. */
export class SocketFrames {
  /** The first waiting frame's parts (almost always the only one: no array per event). */
  head: Buffer | null = null;
  payload: Buffer | null = null;
  /**
   * Any further frames: head, payload, head, payload, … Made on the socket's first backlog and
   * kept (emptied, not dropped): under S4 the writer is always behind and most sockets have a
   * second frame waiting at any moment, and a new array for each was 5,000 young arrays alive at
   * every scavenge, each copied by it.
   */
  more: Buffer[] | null = null;
  /** How many of `more`'s slots hold waiting frames' parts (the rest hold EMPTY). */
  moreCount = 0;
  bytes = 0;
  /** Subscriptions waiting for these frames to be written (the socket was backed up). */
  written: (() => void)[] | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly stream: Duplex,
  ) {}
}

/**
 * A frame is queued under its socket; a pass, on the next turn of the event loop, writes each
 * socket's frames in one go (built into one buffer: one write however many there are) and yields
 * to the event loop every WRITE_SLICE_MS, continuing where it stopped. One event to many sockets
 * thus costs one system call per socket, as a raw broadcast does; when events come faster than
 * the sockets can be written (S4), the frames that pile up meanwhile leave together, and
 * mutations, pings and new connections get their turn between slices instead of after the whole
 * fan-out. A socket's frames leave in the order they were queued, and before any protocol message
 * graphql-ws sends on it (flush()): a `complete` never overtakes the last `next`.
 */
export class FrameWriter {
  /** Sockets with frames, in the order their first frame was queued; [at, count) are waiting. */
  private readonly pending: (SocketFrames | undefined)[] = [];
  private count = 0;
  private at = 0;
  /** A pass is due (on the next turn, or once the foreground's write is answered: lib/foreground.ts). */
  private scheduled = false;

  /** Queues a frame; a promise when the socket is backed up, resolved once this frame is written. */
  queue(out: SocketFrames, head: Buffer, payload: Buffer): Promise<void> | undefined {
    if (out.head === null) {
      out.head = head;
      out.payload = payload;
      this.pending[this.count++] = out;
      this.schedule();
    } else {
      const more = (out.more ??= []);
      more[out.moreCount++] = head;
      more[out.moreCount++] = payload;
    }
    out.bytes += head.length + payload.length + 1;
    if (out.stream.writableLength + out.bytes < BACKED_UP) return undefined;
    const waiting = (out.written ??= []);
    return new Promise((resolve) => waiting.push(resolve));
  }

  /**
   * Writes what the socket has queued now: before a protocol message, which must not overtake
   * it. Its place in `pending` stays; the pass finds it empty (or holding later frames) there.
   */
  flush(out: SocketFrames): void {
    if (out.head !== null) writeFrames(out);
  }

  /** Drops what is queued (shutdown: every socket is closing). */
  dispose(): void {
    // A pass already due finds nothing pending and ends.
    for (let i = this.at; i < this.count; i++) {
      const out = this.pending[i]!;
      for (const resolve of out.written ?? []) resolve();
      clear(out);
    }
    this.pending.length = this.count = this.at = 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    whenForegroundIdle(this.pass);
  }

  private readonly pass = (): void => {
    this.scheduled = false;
    const deadline = performance.now() + WRITE_SLICE_MS;
    const { pending } = this;
    let sockets = 0;
    while (this.at < this.count) {
      const out = pending[this.at]!;
      pending[this.at++] = undefined; // no socket kept alive by a pass that is over
      if (out.head !== null) writeFrames(out);
      if (++sockets % 32 === 0 && performance.now() >= deadline) break;
    }
    if (this.at === this.count) {
      this.at = this.count = 0; // the array keeps its capacity for the next event
      return;
    }
    if (this.at >= COMPACT_AFTER) this.compact();
    this.schedule();
  };

  /**
   * Moves the waiting sockets to the front. A writer that stays behind (S4: events keep coming
   * while it writes) never empties the array, so without this it would grow by a slot per write
   * for as long as the load lasts (430,000 slots in S4's 10 s), copied whenever it grows.
   */
  private compact(): void {
    const { pending, at, count } = this;
    pending.copyWithin(0, at, count);
    pending.fill(undefined, count - at, count);
    this.count = count - at;
    this.at = 0;
  }
}

function clear(out: SocketFrames): void {
  out.head = out.payload = null;
  // Emptied in place (no buffer kept alive by it, no new array for the next backlog).
  if (out.moreCount > 0) out.more!.fill(EMPTY, 0, out.moreCount);
  out.moreCount = 0;
  out.bytes = 0;
  out.written = null;
}

function writeFrames(out: SocketFrames): void {
  const { socket, stream, written } = out;
  const done = written && (() => written.forEach((resolve) => resolve()));
  // Closed meanwhile (1013, 4401/4403, 1012): its frames are dropped; the client resumes by cursor.
  if (socket.readyState !== socket.OPEN) {
    clear(out);
    return void done?.();
  }
  const frames = framesOf(out);
  clear(out);
  // The frames go straight onto the TCP socket, built here, one buffer and one write per
  // socket: ws' send() costs an options object, a header buffer and two stream writes per
  // frame, which at S4's 100,000 frames a second was a tenth of the server's time
  // (docs/adr/0022). Sound because ws writes each of its own messages synchronously and in
  // full (no permessage-deflate, so nothing is ever queued inside ws' Sender): a frame written
  // here never lands inside one of ws', and ws' bufferedAmount counts these bytes too.
  if (done) stream.write(frames, () => done());
  else stream.write(frames);
}

/** Unmasked text frames (server to client, RFC 6455 §5.2), FIN set: header, head, payload, "}" each. */
function framesOf(out: SocketFrames): Buffer {
  const more = out.more ?? NONE;
  const count = out.moreCount;
  let size = frameSize(out.head!, out.payload!);
  for (let i = 0; i < count; i += 2) size += frameSize(more[i]!, more[i + 1]!);
  const buffer = Buffer.allocUnsafe(size);
  let at = writeFrame(buffer, 0, out.head!, out.payload!);
  for (let i = 0; i < count; i += 2) at = writeFrame(buffer, at, more[i]!, more[i + 1]!);
  return buffer;
}
const NONE: Buffer[] = [];
const EMPTY = Buffer.alloc(0);

function frameSize(head: Buffer, payload: Buffer): number {
  const length = head.length + payload.length + 1;
  return length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
}

function writeFrame(buffer: Buffer, at: number, head: Buffer, payload: Buffer): number {
  const length = head.length + payload.length + 1;
  buffer[at++] = 0x81; // FIN + opcode 1 (text)
  if (length < 126) buffer[at++] = length;
  else if (length < 65_536) {
    buffer[at++] = 126;
    buffer.writeUInt16BE(length, at);
    at += 2;
  } else {
    buffer[at++] = 127;
    buffer.writeBigUInt64BE(BigInt(length), at);
    at += 8;
  }
  at += head.copy(buffer, at);
  at += payload.copy(buffer, at);
  buffer[at++] = FRAME_TAIL;
  return at;
}
