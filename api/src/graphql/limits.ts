// Query limits (QUERY_TOO_COMPLEX) from graphql-armor: depth, aliases, directives, tokens
// and a cost budget, so one request cannot make the server do unbounded work.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { GraphQLError } from "graphql";
import { AppError } from "./errors.ts";

const reject = [
  (_: unknown, error: GraphQLError) => {
    throw new AppError("QUERY_TOO_COMPLEX", error.message.replace(/^Syntax Error: /, ""));
  },
];

export function queryLimits() {
  return EnvelopArmorPlugin({
    maxDepth: { n: 10, exposeLimits: true, onReject: reject, ignoreIntrospection: true },
    maxAliases: { n: 20, exposeLimits: true, onReject: reject },
    maxDirectives: { n: 20, exposeLimits: true, onReject: reject },
    maxTokens: { n: 2000, exposeLimits: true, onReject: reject },
    // graphql-armor's cost grows with depth (x1.5 per level); the dashboard's incidents page,
    // the heaviest real query, costs about 19 000. Depth and token limits bound the rest.
    costLimit: { maxCost: 50_000, exposeLimits: true, onReject: reject },
    // Field suggestions ("did you mean") would reveal admin-only names on the public endpoint.
    blockFieldSuggestion: { enabled: true },
  });
}
