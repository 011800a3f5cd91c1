// Errors are values with codes (API.md "Errors"). Resolvers and verbs throw these; anything
// else that escapes is masked as INTERNAL by maskError and logged with its details.
import { GraphQLError } from "graphql";

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "INVALID_TRANSITION"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "QUERY_TOO_COMPLEX"
  | "INTERNAL"
  // The ecosystem's own codes, sent as GraphQL Yoga sends them (API.md "Errors").
  | "GRAPHQL_PARSE_FAILED"
  | "GRAPHQL_VALIDATION_FAILED"
  | "REQUEST_ENTITY_TOO_LARGE";

/** Every code a client may see (API.md "Errors"); anything else a client caused is BAD_USER_INPUT. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "INVALID_TRANSITION",
  "CONFLICT",
  "RATE_LIMITED",
  "QUERY_TOO_COMPLEX",
  "INTERNAL",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "REQUEST_ENTITY_TOO_LARGE",
];

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }
}

export const unauthenticated = (message = "Sign in to do this.") => new AppError("UNAUTHENTICATED", message);
export const forbidden = (message = "Your role does not allow this.") => new AppError("FORBIDDEN", message);
/** One message for "does not exist" and "belongs to another organisation", so neither leaks. */
export const notFound = (what = "Object") => new AppError("NOT_FOUND", `${what} not found.`);
export const badInput = (message: string, field?: string) =>
  new AppError("BAD_USER_INPUT", message, field ? { field } : {});
export const invalidTransition = (message: string) => new AppError("INVALID_TRANSITION", message);
export const conflict = (message: string, field?: string) =>
  new AppError("CONFLICT", message, field ? { field } : {});

/** HTTP 429 with Retry-After (Yoga applies extensions.http to the response and strips it). */
export const rateLimited = (retryAfterSeconds: number, message = `Too many attempts: try again in ${retryAfterSeconds} s.`) =>
  new AppError("RATE_LIMITED", message, { retryAfter: retryAfterSeconds, http: { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } } });

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
