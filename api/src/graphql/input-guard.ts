// Refuses, before any resolver runs, a request whose arguments or variables carry a string that
// no column can store: U+0000 (PostgreSQL refuses it) or an unpaired UTF-16 surrogate (not
// text at all; stored, it would silently become U+FFFD). One check for every field, on HTTP,
// SSE and WebSocket alike (graphql-ws runs through the same envelop): BAD_USER_INPUT with
// extensions.field, never INTERNAL.
import { Kind, visit, type ASTNode, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { AppError, badInput } from "./errors.ts";
import { refusal } from "./validation.ts";

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string holds a NUL or an unpaired surrogate. */
export function isUnstorable(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** The name of the field (argument, input field or variable) holding the first bad string, or null. */
export function unstorableInDocument(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (found !== null || !isUnstorable(node.value)) return;
      found = nameOf(parent ? [...ancestors, parent] : ancestors) ?? "query";
    },
  });
  return found;
}

function nameOf(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string | null {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i];
    if (!node || Array.isArray(node)) continue;
    const n = node as ASTNode;
    if (n.kind === Kind.OBJECT_FIELD || n.kind === Kind.ARGUMENT) return n.name.value;
    if (n.kind === Kind.VARIABLE_DEFINITION) return n.variable.name.value;
  }
  return null;
}

/** The innermost key (or the variable's name) holding the first bad string of `variables`, or null. */
export function unstorableInVariables(variables: unknown): string | null {
  if (!variables || typeof variables !== "object") return null;
  // Iterative: a deeply nested JSON body must not overflow the stack.
  const stack: { value: unknown; field: string }[] = Object.entries(variables as Record<string, unknown>).map(([field, value]) => ({ value, field }));
  while (stack.length > 0) {
    const { value, field } = stack.pop()!;
    if (typeof value === "string") {
      if (isUnstorable(value)) return field;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, field });
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (isUnstorable(key)) return field;
        stack.push({ value: item, field: key });
      }
    }
  }
  return null;
}

/**
 * The plugin: answers such a request with BAD_USER_INPUT instead of executing it. It also
 * turns a query string whose `variables` or `extensions` are not JSON (Yoga's GET parser lets
 * JSON.parse's SyntaxError escape, which would be masked as INTERNAL) into BAD_USER_INPUT, 400.
 */
export function refuseUnstorableInput(): Plugin {
  const onRequestParse: Plugin["onRequestParse"] = ({ requestParser, setRequestParser }) => {
    if (!requestParser) return;
    setRequestParser(async (request) => {
      try {
        return await requestParser(request);
      } catch (error) {
        if (error instanceof SyntaxError) {
          throw new AppError("BAD_USER_INPUT", "The request's variables or extensions are not valid JSON.", { http: { status: 400 } });
        }
        throw error;
      }
    });
  };
  const check = ({ args, setResultAndStopExecution }: { args: { document: DocumentNode; variableValues?: unknown }; setResultAndStopExecution: (result: { errors: readonly Error[] }) => void }) => {
    const field = unstorableInDocument(args.document) ?? unstorableInVariables(args.variableValues);
    if (field === null) return;
    setResultAndStopExecution({ errors: [badInput(refusal(field, "must not contain NUL characters or unpaired surrogates"), field)] });
  };
  return {
    onRequestParse,
    onExecute: check,
    onSubscribe: check,
  };
}
