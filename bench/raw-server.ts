// The raw baseline, run as a child process on the server core: a `ws` server speaking just
// enough of graphql-ws (ack, remember each subscription id) and a Node `http` server answering
// every GET with the current bytes. On "broadcast" it switches the bytes first, then sends every
// socket the given payload in a frame where only the subscription id differs: the least work any
// server can do for the same delivery. Driven over IPC by startRaw() below.
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { SERVER_CORE } from "./lib.ts";

type Command =
  | { type: "page"; body: string; contentType: string }
  | { type: "gc" }
  | { type: "broadcast"; payload: string; page?: { body: string; contentType: string } }
  | { type: "burst"; payload: string; count: number };

function serve(): void {
  let page = { body: Buffer.from("{}"), contentType: "application/json" };
  const subscriptions = new Map<WebSocket, string>();
  const streams = new WeakMap<WebSocket, Duplex>();
  const http = createServer((_req, res) => {
    res.writeHead(200, { "content-type": page.contentType, "content-length": page.body.length });
    res.end(page.body);
  });
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (socket, req) => {
    streams.set(socket, req.socket);
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string };
      if (message.type === "connection_init") socket.send('{"type":"connection_ack"}');
      else if (message.type === "subscribe" && message.id) subscriptions.set(socket, message.id);
      else if (message.type === "ping") socket.send('{"type":"pong"}');
    });
    socket.on("close", () => subscriptions.delete(socket));
  });
  process.on("message", (command: Command) => {
    if (command.type === "gc") {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ type: "ok" });
      return;
    }
    const switched = command.type === "page" ? command : command.type === "broadcast" ? command.page : undefined;
    if (switched) {
      const next = switched;
      page = { body: Buffer.from(next.body, "base64"), contentType: next.contentType };
    }
    if (command.type === "burst") {
      // `count` frames to every socket in one write each (corked): S4's client check.
      const tail = `","type":"next","payload":${command.payload}}`;
      for (const [socket, id] of subscriptions) {
        const stream = streams.get(socket)!;
        stream.cork();
        for (let i = 0; i < command.count; i++) socket.send(`{"id":"${id}${tail}`);
        stream.uncork();
      }
      process.send!({ type: "sent", sockets: subscriptions.size });
    } else if (command.type === "broadcast") {
      const tail = `","type":"next","payload":${command.payload}}`;
      for (const [socket, id] of subscriptions) socket.send(`{"id":"${id}${tail}`);
      process.send!({ type: "sent", sockets: subscriptions.size });
    } else {
      process.send!({ type: "ok" });
    }
  });
  http.listen(0, "127.0.0.1", () => process.send!({ type: "ready", port: (http.address() as { port: number }).port }));
}

export interface RawServer {
  url: string;
  pid: number;
  /** A full garbage collection, before memory is read. */
  gc(): Promise<void>;
  /** Sets the bytes every GET answers. */
  page(body: Buffer, contentType: string): Promise<void>;
  /** Switches the page (if given), then sends `payload` to every subscription. */
  broadcast(payload: string, page?: { body: Buffer; contentType: string }): Promise<void>;
  /** Sends `payload` `count` times to every subscription, each socket's frames in one write. */
  burst(payload: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the raw baseline on the server core. */
export async function startRaw(): Promise<RawServer> {
  const child: ChildProcess = fork(import.meta.filename, ["--serve"], {
    execPath: "taskset",
    execArgv: ["-c", SERVER_CORE, process.execPath, "--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const reply = () => new Promise<{ type: string; port?: number }>((resolve) => child.once("message", (m) => resolve(m as { type: string; port?: number })));
  const { port } = await reply();
  const send = async (command: Command) => {
    const answered = reply();
    child.send(command);
    await answered;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    gc: () => send({ type: "gc" }),
    page: (body, contentType) => send({ type: "page", body: body.toString("base64"), contentType }),
    broadcast: (payload, page) => send({ type: "broadcast", payload, ...(page ? { page: { body: page.body.toString("base64"), contentType: page.contentType } } : {}) }),
    burst: (payload, count) => send({ type: "burst", payload, count }),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

if (process.argv.includes("--serve")) serve();
