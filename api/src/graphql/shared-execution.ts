// Fan-out without per-socket work: every subscriber of an organisation receives the same
// LiveEvent object from the hub, and subscribers that sent the same selection (same schema,
// same document, same variables apart from the `after` they resume from) get the one result
// executed for the first of them. Sound because nothing under StatusEvent depends on who is
// asking — the schema (admin or public) decides the field set, the root field (part of the
// document) decides which objects are hidden as deleted or cancelled (modules/events/visibility.ts,
// from the rows the event's shared loaders read), and the subscription's own authorization ran
// at subscribe time and per event at its root field.
//
// On a WebSocket (the transport offers `sendNext`) the shared result is also serialised once:
// its JSON is encoded once per event and selection, and each socket's `next` message is that
// buffer with the socket's subscription id put in front (lib/websocket.ts). The stream handed
// back to graphql-ws then yields nothing: it only ends (complete) or fails (error), so
// graphql-ws keeps the protocol (ack, ping, complete, errors) and never stringifies a payload.
// SSE (Yoga) keeps the result path: it serialises per stream (docs/adr/0014).
import { createSourceEventStream, execute, Kind, print, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context, Transport } from "../context.ts";
import type { Consumer } from "../modules/events/bounded-queue.ts";
import type { LiveEvent, LiveSource, Preparer } from "../modules/events/hub.ts";

/** One event's result for one selection, and its JSON once a WebSocket subscriber asked for it. */
interface SharedResult {
  result: Promise<ExecutionResult>;
  payload: Buffer | null;
  encoded: Promise<Buffer> | null;
  /** Framed streams waiting for `payload`: served in one pass once it is encoded. */
  waiting: SendStream[] | null;
}
type Shared = Map<string, SharedResult>;
type MaskError = (error: unknown) => Error;
type Sender = Required<Pick<Transport, "sendNext">>;

/**
 * Counters for tests and the benchmark: results executed, results handed to subscribers,
 * payloads serialised for WebSocket frames, and live events a framed stream took synchronously
 * from the hub's push (docs/adr/0015).
 */
export const fanOutStats = { executions: 0, deliveries: 0, serialisations: 0, direct: 0 };
const resultsByEvent = new WeakMap<LiveEvent, Shared>();
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 1;
const selectionKeys = new WeakMap<DocumentNode, { text: string; afterVariable: string | null }>();

/**
 * `share: false` is the benchmark's baseline (SHARED_FANOUT=0): every socket executes every event
 * itself, still with the event's fresh loaders (a long-lived subscription's own would go stale).
 */
export function useSharedSubscriptionExecution({ share = true, maskError = (error) => error as Error }: { share?: boolean; maskError?: MaskError } = {}): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source; // an error result: nothing to stream
        const key = share ? sharingKey(args) : null;
        const transport = (args.contextValue as Context).transport;
        if (key !== null && transport?.sendNext) {
          transport.framed = true;
          return new SendStream(source as AsyncIterableIterator<unknown>, takeTemplate(key, args), transport as Sender, maskError);
        }
        return mapStream(source as AsyncIterableIterator<unknown>, (payload) => executeShared(args, key, payload));
      });
    },
  };
}

function executeOnce(args: ExecutionArgs, payload: LiveEvent): Promise<ExecutionResult> {
  // The event's own loaders: one read per object for every subscriber on this instance.
  const contextValue = { ...(args.contextValue as Context), loaders: payload.loaders };
  return Promise.resolve(execute({ ...args, rootValue: payload, contextValue }));
}

function executeShared(args: ExecutionArgs, key: string | null, payload: unknown): Promise<ExecutionResult> {
  if (!isLiveEvent(payload)) return Promise.resolve(execute({ ...args, rootValue: payload }));
  if (key === null) {
    fanOutStats.deliveries++;
    fanOutStats.executions++;
    return executeOnce(args, payload);
  }
  return sharedResult(args, key, payload).result;
}

/** `delivery`: counted as handed to a subscriber (not when the hub prepares the event). */
function sharedResult(args: ExecutionArgs, key: string, payload: LiveEvent, delivery = true): SharedResult {
  let shared = resultsByEvent.get(payload);
  if (!shared) resultsByEvent.set(payload, (shared = new Map<string, SharedResult>()));
  let entry = shared.get(key);
  if (delivery) fanOutStats.deliveries++;
  if (!entry) {
    fanOutStats.executions++;
    entry = { result: executeOnce(args, payload), payload: null, encoded: null, waiting: null };
    shared.set(key, entry);
  }
  return entry;
}

/** The JSON of a result as graphql-ws would send it, errors masked as Yoga masks them. */
function serialise(result: ExecutionResult, maskError: MaskError): Buffer {
  fanOutStats.serialisations++;
  const masked = result.errors ? { ...result, errors: result.errors.map((error) => maskError(error)) } : result;
  return Buffer.from(JSON.stringify(masked));
}

/** The event's result for this selection, its JSON started by the first subscriber that needs it. */
function encodedResult(args: ExecutionArgs, key: string, payload: LiveEvent, maskError: MaskError, delivery = true): SharedResult {
  const entry = sharedResult(args, key, payload, delivery);
  if (!entry.payload) entry.encoded ??= entry.result.then((result) => (entry.payload = serialise(result, maskError)));
  return entry;
}

/**
 * The hub's preparation of a live event for one selection (modules/events/hub.ts `prepare`):
 * its result and JSON built before any subscriber takes the event, so that every framed stream
 * of the selection finds the payload ready in accept() and sends at once — no detach, wait and
 * resume per socket (docs/adr/0022).
 */
function preparerFor(template: Template, maskError: MaskError): Preparer {
  return (live) => {
    const entry = encodedResult(template.args, template.key, live, maskError, false);
    template.prepared = { live, entry };
    return entry.payload ? undefined : entry.encoded!;
  };
}

/**
 * Streams that took the event before its JSON was ready (all but none, for a live event: the
 * first one's take starts the execution) wait together: one callback serves them all, in the
 * order they arrived, without a promise turn each.
 */
function waitForPayload(entry: SharedResult, stream: SendStream): void {
  if (entry.waiting) return void entry.waiting.push(stream);
  const waiting = (entry.waiting = [stream]);
  entry.encoded!.then(
    (payload) => {
      entry.waiting = null;
      for (const waiter of waiting) waiter.resume(payload);
    },
    (error: unknown) => {
      entry.waiting = null;
      for (const waiter of waiting) waiter.fail(error);
    },
  );
}

/**
 * Sends the subscription's events as prebuilt frames; what graphql-ws iterates yields nothing
 * and ends when the source ends (graphql-ws then sends complete) or fails (error). A class: an
 * idle subscription holds its fields, not closures (docs/adr/0014).
 *
 * Live events arrive synchronously: once the replay is done and nothing is buffered, the stream
 * attaches to its source (modules/events/subscriptions.ts) and the hub's push reaches accept()
 * directly, which hands the shared payload to the socket (docs/adr/0015). When it must wait —
 * the payload is not built yet, or the socket is backed up — it detaches: later events buffer in
 * the subscription's bounded queue, in order, and drain() reads them before attaching again. A
 * backed-up socket is waited for before the next event is taken, so its queue fills and the hub
 * cuts it off (1013), as when graphql-ws awaited every send.
 */
class SendStream implements AsyncIterableIterator<never>, Consumer<LiveEvent> {
  private readonly finished: Promise<IteratorResult<never>>;
  private resolveFinished!: (result: IteratorResult<never>) => void;
  private rejectFinished!: (error: unknown) => void;
  private readonly live: LiveSource | null;
  private readonly unprepare: (() => void) | null;
  /** return() was called (the client completed, the socket closed): send nothing more. */
  private closed = false;
  private settled = false;

  constructor(
    private readonly source: AsyncIterableIterator<unknown>,
    private readonly template: Template,
    private readonly transport: Sender,
    private readonly maskError: MaskError,
  ) {
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // Its failure reaches graphql-ws through next(); this only keeps it from being unhandled.
    this.finished.catch(ignore);
    this.live = isLiveSource(source) ? source : null;
    this.unprepare = this.live?.prepare(template, template.preparer ?? (template.preparer = preparerFor(template, maskError))) ?? null;
    void this.drain();
  }

  next(): Promise<IteratorResult<never>> {
    return this.finished;
  }

  async return(): Promise<IteratorResult<never>> {
    this.closed = true;
    this.live?.detach();
    await this.source.return?.();
    this.finish();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<never>> {
    this.closed = true;
    this.live?.detach();
    await this.source.return?.();
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A live event, from the hub's push (attached). */
  accept(live: LiveEvent): void {
    fanOutStats.direct++;
    const { template } = this;
    // The event the hub just prepared for this selection: its payload without the two lookups.
    if (template.prepared?.live === live && template.prepared.entry.payload) {
      fanOutStats.deliveries++;
      return this.send(template.prepared.entry.payload, true);
    }
    const entry = encodedResult(template.args, template.key, live, this.maskError);
    if (entry.payload) return this.send(entry.payload, true);
    this.live!.detach();
    waitForPayload(entry, this);
  }

  /** The source ended while attached. */
  ended(): void {
    this.finish();
  }

  /** The payload this stream waited for (detached), built. */
  resume(payload: Buffer): void {
    if (!this.closed) this.send(payload, false);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.closed = true;
    this.unprepare?.();
    releaseTemplate(this.template);
    this.rejectFinished(error);
  }

  private send(payload: Buffer, attached: boolean): void {
    const backedUp = this.transport.sendNext(payload);
    if (backedUp) {
      if (attached) this.live!.detach();
      void backedUp.then(() => this.drain());
    } else if (!attached && !this.live!.attach(this)) void this.drain();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.closed = true;
    this.unprepare?.();
    releaseTemplate(this.template);
    this.resolveFinished({ value: undefined, done: true });
  }

  /** Reads what the source holds (the replay, a backlog) one event at a time, then attaches. */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.closed || this.live?.attach(this)) return;
        const item = await this.source.next();
        if (item.done) return this.finish();
        if (this.closed) return;
        let payload: Buffer;
        const { args, key } = this.template;
        if (isLiveEvent(item.value)) {
          const entry = encodedResult(args, key, item.value, this.maskError);
          payload = entry.payload ?? (await entry.encoded!);
        } else payload = serialise(await execute({ ...args, rootValue: item.value }), this.maskError);
        if (this.closed) return;
        const backedUp = this.transport.sendNext(payload);
        if (backedUp) await backedUp;
      }
    } catch (error) {
      this.fail(error);
    }
  }
}

function isLiveSource(source: unknown): source is LiveSource {
  return typeof (source as Partial<LiveSource>).attach === "function" && typeof (source as Partial<LiveSource>).detach === "function";
}

/**
 * What framed subscriptions of one selection execute with: the first one's arguments, without
 * its socket. Shared so that each subscription need not keep its own operation context (Yoga's,
 * with the viewer, access and loaders) for as long as it is open; nothing under StatusEvent
 * depends on the viewer (above). Counted, and dropped with the last subscription.
 */
interface Template {
  key: string;
  args: ExecutionArgs;
  subscriptions: number;
  /** What the hub runs for each event before handing it out (made once per template). */
  preparer?: Preparer;
  /** The event last prepared (a batch's last): its subscribers skip the lookups in accept(). */
  prepared?: { live: LiveEvent; entry: SharedResult };
}
const templates = new Map<string, Template>();

function takeTemplate(key: string, args: ExecutionArgs): Template {
  let template = templates.get(key);
  if (!template) {
    const contextValue = { ...(args.contextValue as Context), transport: undefined, socket: undefined };
    templates.set(key, (template = { key, args: { ...args, contextValue }, subscriptions: 0 }));
  }
  template.subscriptions++;
  return template;
}

function releaseTemplate(template: Template): void {
  if (--template.subscriptions === 0 && templates.get(template.key) === template) templates.delete(template.key);
}

function ignore(): undefined {
  return undefined;
}

/** Same schema + same selection + same variables (ignoring the one that only sets `after`). */
function sharingKey(args: ExecutionArgs): string {
  let schemaId = schemaIds.get(args.schema);
  if (schemaId === undefined) schemaIds.set(args.schema, (schemaId = nextSchemaId++));
  let selection = selectionKeys.get(args.document);
  if (!selection) selectionKeys.set(args.document, (selection = withoutAfter(args.document)));
  const variables = { ...(args.variableValues ?? {}) };
  if (selection.afterVariable) delete variables[selection.afterVariable];
  return `${schemaId}\n${args.operationName ?? ""}\n${selection.text}\n${JSON.stringify(variables)}`;
}

/** The document with the subscription field's `after` argument removed, and that argument's variable. */
function withoutAfter(document: DocumentNode): { text: string; afterVariable: string | null } {
  let afterVariable: string | null = null;
  const stripped = visit(document, {
    Argument(node, _key, _parent, path) {
      // Only the root field's argument: path = definitions, i, selectionSet, selections, j, arguments, k
      if (node.name.value !== "after" || path.length !== 7) return undefined;
      if (node.value.kind === Kind.VARIABLE) afterVariable = node.value.name.value;
      return null;
    },
  });
  return { text: print(stripped), afterVariable };
}

function isLiveEvent(payload: unknown): payload is LiveEvent {
  return typeof payload === "object" && payload !== null && "event" in payload && "loaders" in payload;
}

/** Maps each value of a stream, passing return() through so unsubscribing reaches the source. */
function mapStream<T, U>(source: AsyncIterableIterator<T>, map: (value: T) => Promise<U>): AsyncIterableIterator<U> {
  return {
    async next() {
      const item = await source.next();
      return item.done ? { value: undefined, done: true } : { value: await map(item.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
