// Builds both schemas from the one builder: the full one for /graphql and the anonymous
// subset for /graphql/public (only what the "Public" sub-graph marks exists there).
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { builder } from "./builder.ts";
// Each feature registers its types and fields on import.
import "../modules/orgs/types.ts";
import "../modules/auth/types.ts";
import "../modules/services/types.ts";
import "../modules/incidents/types.ts";
import "../modules/maintenance/types.ts";
import "../modules/members/types.ts";
import "../modules/tokens/types.ts";
import "../modules/webhooks/types.ts";
import "../modules/subscribers/types.ts";
import "../modules/audit/types.ts";
import "../modules/events/types.ts";
import "../modules/events/subscriptions.ts";
import "../modules/public/types.ts";

export interface Schemas {
  admin: GraphQLSchema;
  public: GraphQLSchema;
}

let built: Schemas | undefined;

export function buildSchemas(): Schemas {
  built ??= {
    admin: lexicographicSortSchema(builder.toSchema({ subGraph: "Admin" })),
    public: lexicographicSortSchema(builder.toSchema({ subGraph: "Public" })),
  };
  return built;
}

export function printSchemas(): { admin: string; public: string } {
  const { admin, public: pub } = buildSchemas();
  return { admin: printSchema(admin) + "\n", public: printSchema(pub) + "\n" };
}
