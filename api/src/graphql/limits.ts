// Query limits (QUERY_TOO_COMPLEX): depth, aliases, directives and tokens from graphql-armor,
// and a cost budget by the sizes of the lists asked for (cost.ts), so one request cannot make
// the server do unbounded work.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { costLimit } from "./cost.ts";
import { AppError } from "./errors.ts";

const reject = [
  (_: unknown, error: GraphQLError) => {
    throw new AppError("QUERY_TOO_COMPLEX", error.message.replace(/^Syntax Error: /, ""));
  },
];

export function queryLimits(): Plugin {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: 10, exposeLimits: true, onReject: reject, ignoreIntrospection: true },
    maxAliases: { n: 20, exposeLimits: true, onReject: reject },
    maxDirectives: { n: 20, exposeLimits: true, onReject: reject },
    maxTokens: { n: 2000, exposeLimits: true, onReject: reject },
    // graphql-armor's cost knows neither list sizes nor size arguments: cost.ts replaces it.
    costLimit: { enabled: false },
    // Field suggestions ("did you mean") would reveal admin-only names on the public endpoint.
    blockFieldSuggestion: { enabled: true },
  });
  const cost = costLimit();
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor as Plugin);
      addPlugin(cost);
    },
  };
}
