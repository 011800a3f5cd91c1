// Decides what of an error reaches a client. Our AppErrors pass with their code; errors the
// client caused before execution pass with the ecosystem's code (GRAPHQL_PARSE_FAILED,
// GRAPHQL_VALIDATION_FAILED, REQUEST_ENTITY_TOO_LARGE) or else as BAD_USER_INPUT (variables,
// a bad HTTP body); everything else is logged and replaced by a bare INTERNAL. Refused input is
// logged at debug at most, never at error.
import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { AppError, ERROR_CODES, badInput, type ErrorCode } from "./errors.ts";
import { isInputDataError } from "../lib/prisma-errors.ts";

const CLIENT_CODES = new Set<string>(ERROR_CODES.filter((code: ErrorCode) => code !== "INTERNAL"));

export function createMaskError(log: Logger) {
  return (error: unknown): Error => {
    if (error instanceof AppError) return error;
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (original instanceof AppError) {
        return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: original.extensions });
      }
      if (!original || (original instanceof GraphQLError && !original.originalError)) {
        const code = typeof error.extensions.code === "string" && CLIENT_CODES.has(error.extensions.code) ? error.extensions.code : "BAD_USER_INPUT";
        const field = code === "BAD_USER_INPUT" && error.extensions.field === undefined ? variableField(error.message) : undefined;
        log.debug({ code, message: error.message }, "refused request");
        return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions: { ...error.extensions, code, ...(field ? { field } : {}) } });
      }
    }
    // A value the database refuses as data (a character or a date it cannot store) is the
    // client's input that validation let through: BAD_USER_INPUT, not an incident.
    const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (isInputDataError(cause)) {
      log.debug({ err: cause }, "database refused input");
      const refused = badInput("This input contains a value that cannot be stored.");
      return new GraphQLError(refused.message, { nodes: error instanceof GraphQLError ? error.nodes : undefined, path: error instanceof GraphQLError ? error.path : undefined, extensions: refused.extensions });
    }
    log.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error, path: error instanceof GraphQLError ? error.path : undefined }, "internal error");
    return new GraphQLError("Internal server error.", {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: "INTERNAL" },
    });
  };
}

/** The input field a variable-coercion error names: 'Variable "$input" got invalid value … at "input.scheduledStart"' → "scheduledStart". */
function variableField(message: string): string | undefined {
  const match = /^Variable "\$(\w+)" got invalid value .*? at "([\w.[\]]+)"/s.exec(message) ?? /^Variable "\$(\w+)"/.exec(message);
  if (!match) return undefined;
  const names = (match[2] ?? match[1] ?? "").split(/[.[\]]/).filter((p) => p && !/^\d+$/.test(p));
  return names[names.length - 1];
}
