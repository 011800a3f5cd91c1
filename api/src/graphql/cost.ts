// Query cost by the work a query asks for (docs/adr/0009): every object the response may hold
// costs 1, leaves cost nothing, and a list multiplies what is under it by its size:
// - a field with a size argument (`first`, `last`, `days`, `limit`) by that argument's value
//   (uptime(days: 90) is 90 days, incidents(first: 50) is 50 incidents; a connection's
//   nodes/edges take the connection's size);
// - any other list by ASSUMED_LIST_SIZE (services, updates, affectedServices...).
// Checked when an operation executes (HTTP, SSE and WebSocket alike, through envelop), when the
// variables are known: a query over MAX_QUERY_COST is refused with QUERY_TOO_COMPLEX.
import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { AppError } from "./errors.ts";

/** The size charged for a list without a size argument. */
export const ASSUMED_LIST_SIZE = 10;
/**
 * The budget. The web app's heaviest documents cost about 2 200 (the dashboard's incidents page)
 * and 1 650 (the public page: 10 services × 90 uptime days and the incidents); test/http-hardening
 * keeps every web document under a third of it.
 */
export const MAX_QUERY_COST = 8_000;

const SIZE_ARGUMENTS = new Set(["first", "last", "days", "limit"]);

/** The cost of the operation `operationName` (or the document's only/most expensive one). */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const chosen = operationName ? operations.filter((op) => op.name?.value === operationName) : operations;
  let worst = 0;
  for (const operation of chosen) {
    const root = schema.getRootType(operation.operation);
    if (!root) continue;
    const defaults = new Map<string, ValueNode>();
    for (const definition of operation.variableDefinitions ?? []) if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
    const sizeOfValue = (node: ValueNode): number | null => {
      if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
      if (node.kind === Kind.VARIABLE) {
        const given = variables?.[node.name.value];
        if (typeof given === "number") return given;
        const fallback = defaults.get(node.name.value);
        return fallback ? sizeOfValue(fallback) : null;
      }
      return null;
    };
    /** The size argument's value (given, else the schema's default), or null when the field has none. */
    const sizeOf = (field: GraphQLField<unknown, unknown>, given: readonly { name: { value: string }; value: ValueNode }[]): number | null => {
      for (const arg of field.args) {
        if (!SIZE_ARGUMENTS.has(arg.name)) continue;
        const node = given.find((a) => a.name.value === arg.name);
        const value = node ? sizeOfValue(node.value) : typeof arg.defaultValue === "number" ? arg.defaultValue : null;
        return Math.max(1, value ?? ASSUMED_LIST_SIZE);
      }
      return null;
    };
    const selectionCost = (set: SelectionSetNode | undefined, type: GraphQLNamedType, listSize: number | null, seen: ReadonlySet<string>): number => {
      if (!set) return 0;
      let total = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
          if (on) total += selectionCost(selection.selectionSet, on, listSize, seen);
        } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          const on = fragment && schema.getType(fragment.typeCondition.name.value);
          if (fragment && on && !seen.has(name)) total += selectionCost(fragment.selectionSet, on, listSize, new Set([...seen, name]));
        } else {
          if (selection.name.value.startsWith("__")) continue; // introspection: bounded by depth and tokens
          const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
          if (!field) continue;
          const named = getNamedType(field.type);
          if (isLeafType(named)) continue;
          const list = isList(field.type);
          const size = sizeOf(field, selection.arguments ?? []);
          // A sized list is that many; a sized connection passes its size to its nodes/edges.
          const factor = list ? (size ?? listSize ?? ASSUMED_LIST_SIZE) : 1;
          const childListSize = !list && size !== null ? size : null;
          total += factor * (1 + selectionCost(selection.selectionSet, named, childListSize, seen));
        }
        if (total > Number.MAX_SAFE_INTEGER / 2) return total;
      }
      return total;
    };
    worst = Math.max(worst, selectionCost(operation.selectionSet, root, null, new Set()));
  }
  return worst;
}

function isList(type: Parameters<typeof getNullableType>[0]): boolean {
  let current = getNullableType(type);
  while (current) {
    if (isListType(current)) return true;
    if ("ofType" in current && current.ofType) current = getNullableType(current.ofType as Parameters<typeof getNullableType>[0]);
    else return false;
  }
  return false;
}

/** The envelop plugin: QUERY_TOO_COMPLEX before any resolver runs when the cost exceeds `maxCost`. */
export function costLimit(maxCost = MAX_QUERY_COST): Plugin {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null | undefined; variableValues?: unknown };
    setResultAndStopExecution: (result: { errors: readonly Error[] }) => void;
  }) => {
    const cost = queryCost(args.schema, args.document, args.operationName, (args.variableValues ?? null) as Record<string, unknown> | null);
    if (cost <= maxCost) return;
    setResultAndStopExecution({
      errors: [new AppError("QUERY_TOO_COMPLEX", `Query cost ${cost} exceeds the limit of ${maxCost}: ask for fewer items (smaller first/days, fewer aliases).`)],
    });
  };
  return { onExecute: check, onSubscribe: check };
}
