// The Pothos builder: scope-auth (all authorization goes through modules/auth/access.ts),
// zod validation (BAD_USER_INPUT with the field at fault) and sub-graphs ("Public" is the
// anonymous subset served on /graphql/public; "Admin" is everything).
import SchemaBuilder from "@pothos/core";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import SubGraphPlugin from "@pothos/plugin-sub-graph";
import ValidationPlugin from "@pothos/plugin-validation";
import { GraphQLError, GraphQLScalarType, type ValueNode } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import type { Context } from "../context.ts";
import { badInput, unauthenticated } from "./errors.ts";
import { refusal } from "./validation.ts";

export type SubGraph = "Admin" | "Public";

export const builder = new SchemaBuilder<{
  Context: Context;
  SubGraphs: SubGraph;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  AuthScopes: {
    /** A user session or an API token; anonymous callers fail with UNAUTHENTICATED. */
    signedIn: boolean;
    /** Member or admin of the organisation with this id (else NOT_FOUND). */
    member: string;
    /** Admin of the organisation with this id (member: FORBIDDEN; else NOT_FOUND). */
    admin: string;
  };
}>({
  plugins: [ScopeAuthPlugin, ValidationPlugin, SubGraphPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  subGraphs: { defaultForTypes: ["Admin"], fieldsInheritFromTypes: true },
  scopeAuth: {
    // Thrown AppErrors (NOT_FOUND, FORBIDDEN) pass through untouched; a scope that is merely
    // false can only be signedIn, so the failure is UNAUTHENTICATED.
    treatErrorsAsUnauthorized: false,
    // Subscriptions are authorised once, when they start (a non-member never receives a
    // thing); the socket closes when the session behind it expires (lib/websocket.ts).
    authorizeOnSubscribe: true,
    unauthorizedError: () => unauthenticated(),
    authScopes: (ctx) => ({
      signedIn: ctx.viewer.kind !== "anonymous",
      member: async (organizationId) => {
        await ctx.access.requireMember(organizationId);
        return true;
      },
      admin: async (organizationId) => {
        await ctx.access.requireAdmin(organizationId);
        return true;
      },
    }),
  },
  validation: {
    validationError: (result) => {
      const issue = result.issues[0];
      const path = (issue?.path ?? []).map((p) => (typeof p === "object" ? p.key : p));
      const field = [...path].reverse().find((p): p is string => typeof p === "string" && p !== "input");
      return badInput(refusal(field, issue?.message ?? "is not valid"), field);
    },
  },
});

/**
 * graphql-scalars' DateTime (RFC 3339, real calendar dates only: no 2024-02-30), narrowed to the
 * instants PostgreSQL stores and ISO-8601 round-trips: years 1 to 9999 in UTC (an offset may not
 * carry 0001-01-01T00:00:00+01:00 into year 0). Anything else is BAD_USER_INPUT, never INTERNAL.
 */
export const DateTime = new GraphQLScalarType<Date, Date | string>({
  ...DateTimeResolver.toConfig(),
  description:
    "An ISO-8601 date-time with a time zone (RFC 3339), such as 2026-01-31T12:00:00Z; years 1 to 9999 (UTC). Sent back in UTC.",
  parseValue: (value: unknown) => inStorableRange(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => inStorableRange(DateTimeResolver.parseLiteral(ast, variables)),
});

function inStorableRange(date: Date): Date {
  const year = date.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw new GraphQLError("DateTime must lie between the years 1 and 9999 (UTC).");
  return date;
}

builder.addScalarType("DateTime", DateTime, { subGraphs: ["Admin", "Public"] });

builder.queryType({ subGraphs: ["Admin", "Public"] });
// Mutations are the full schema's unless a field says otherwise (the public subscription ones).
builder.mutationType({ subGraphs: ["Admin", "Public"], defaultSubGraphsForFields: ["Admin"] });
