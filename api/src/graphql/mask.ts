// Decides what of an error reaches a client. Our AppErrors pass with their code; errors the
// client caused before execution (syntax, validation, variables, a bad HTTP body) pass as
// BAD_USER_INPUT; everything else is logged and replaced by a bare INTERNAL.
import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { AppError } from "./errors.ts";

export function createMaskError(log: Logger) {
  return (error: unknown): Error => {
    if (error instanceof AppError) return error;
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (original instanceof AppError) {
        return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: original.extensions });
      }
      if (!original || (original instanceof GraphQLError && !original.originalError)) {
        const code = typeof error.extensions.code === "string" && error.extensions.code !== "GRAPHQL_VALIDATION_FAILED" && error.extensions.code !== "GRAPHQL_PARSE_FAILED" && error.extensions.code !== "BAD_REQUEST"
          ? error.extensions.code
          : "BAD_USER_INPUT";
        return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions: { ...error.extensions, code } });
      }
    }
    log.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error, path: error instanceof GraphQLError ? error.path : undefined }, "internal error");
    return new GraphQLError("Internal server error.", {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: "INTERNAL" },
    });
  };
}
