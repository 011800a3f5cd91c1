// Fan-out without per-socket work: every subscriber of an organisation receives the same
// LiveEvent object from the hub, and subscribers that sent the same selection (same schema,
// same document, same variables apart from the `after` they resume from) get the one result
// executed for the first of them. Sound because nothing under StatusEvent depends on who is
// asking — the schema (admin or public) decides the field set, the root field (part of the
// document) decides which objects are hidden as deleted or cancelled (modules/events/visibility.ts,
// from the rows the event's shared loaders read), and the subscription's own authorization ran
// at subscribe time and per event at its root field.
import { createSourceEventStream, execute, Kind, print, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../context.ts";
import type { LiveEvent } from "../modules/events/hub.ts";

type Shared = Map<string, Promise<ExecutionResult>>;

/** Counters for tests and the benchmark: results executed vs. results handed to subscribers. */
export const fanOutStats = { executions: 0, deliveries: 0 };
const resultsByEvent = new WeakMap<LiveEvent, Shared>();
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 1;
const selectionKeys = new WeakMap<DocumentNode, { text: string; afterVariable: string | null }>();

/**
 * `share: false` is the benchmark's baseline (SHARED_FANOUT=0): every socket executes every event
 * itself, still with the event's fresh loaders (a long-lived subscription's own would go stale).
 */
export function useSharedSubscriptionExecution({ share = true }: { share?: boolean } = {}): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source; // an error result: nothing to stream
        const key = share ? sharingKey(args) : null;
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
  let shared = resultsByEvent.get(payload);
  if (!shared) resultsByEvent.set(payload, (shared = new Map<string, Promise<ExecutionResult>>()));
  let result = shared.get(key);
  fanOutStats.deliveries++;
  if (!result) {
    fanOutStats.executions++;
    result = executeOnce(args, payload);
    shared.set(key, result);
  }
  return result;
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
