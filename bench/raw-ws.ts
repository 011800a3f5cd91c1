// The baseline of the fan-out scenarios: a raw `ws` server that sends one prebuilt frame to every
// open socket, the least a WebSocket server can do per change. It speaks just enough of
// graphql-transport-ws (connection_init -> connection_ack, ping -> pong, subscribe accepted
// silently) for the bench's own graphql-ws clients to connect to it exactly as they connect to
// the product, so both sides of a ratio pay the same client cost.
//   const raw = await startRawWsBroadcast(frame);   // a child process on the server core
//   await raw.broadcast();                          // POST /broadcast: every socket gets `frame`
//   raw.url (ws://…), await raw.rssKb(), await raw.stop()
// Clients must subscribe with the id the frame carries (graphql-ws `generateID: () => "1"`):
// the frame is identical bytes for every socket.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { WebSocketServer } from "ws";

/** The core the raw server runs on (the product's core in the benches). */
const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? "1";

export interface RawWsBroadcast {
  /** ws:// address; any path. */
  url: string;
  child: ChildProcess;
  /** Sends the frame to every open socket; resolves when the server has queued them all. */
  broadcast(): Promise<void>;
  /** The raw server's resident memory (KB), for the per-socket memory baseline. */
  rssKb(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in KB (from /proc, Linux). */
export function rssKbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** Starts the raw server in a child process pinned to the server core, broadcasting `frame`. */
export async function startRawWsBroadcast(frame: string): Promise<RawWsBroadcast> {
  const port = await freePort();
  const child = spawn("taskset", ["-c", SERVER_CORE, "node", "--import", "tsx", import.meta.filename], {
    env: { ...process.env, RAW_WS_PORT: String(port) },
    stdio: ["pipe", "ignore", "inherit"],
  });
  child.stdin.end(frame);
  const http = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${http}/ready`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 200) throw new Error("raw ws server did not start");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `ws://127.0.0.1:${port}/graphql/public`,
    child,
    broadcast: async () => void (await fetch(`${http}/broadcast`, { method: "POST" })).arrayBuffer(),
    rssKb: () => rssKbOf(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The child: serves until killed. */
function serve(port: number, frameText: string): void {
  // Encoded once: every socket is sent the same bytes.
  const frame = Buffer.from(frameText);
  // A text frame, as graphql-ws sends (ws sends a Buffer as binary unless told).
  const TEXT = { binary: false };
  const server = createHttpServer((req, res) => {
    if (req.url === "/broadcast" && req.method === "POST") {
      for (const socket of wss.clients) socket.send(frame, TEXT);
      res.end("ok");
    } else res.end(req.url === "/ready" ? "ok" : "");
  });
  const wss = new WebSocketServer({ server, handleProtocols: () => "graphql-transport-ws" });
  wss.on("connection", (socket) => {
    socket.on("message", (data: Buffer) => {
      const type = (JSON.parse(data.toString()) as { type?: string }).type;
      if (type === "connection_init") socket.send('{"type":"connection_ack"}');
      else if (type === "ping") socket.send('{"type":"pong"}');
    });
  });
  server.listen(port, "127.0.0.1");
  process.on("SIGTERM", () => process.exit(0));
}

if (process.env.RAW_WS_PORT && process.argv[1] === import.meta.filename) {
  const chunks: Buffer[] = [];
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on("end", () => serve(Number(process.env.RAW_WS_PORT), Buffer.concat(chunks).toString()));
}
