import { CombinedError, makeOperation, type OperationResult } from "@urql/core";
import { GraphQLError, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { nulledAbove, withoutPropagatedNulls } from "./refusals.ts";

const result = (kind: "query" | "mutation", data: Record<string, unknown> | null, errors: { path: (string | number)[] }[]): OperationResult => {
  const operation = makeOperation(kind, { key: 1, query: parse("{ __typename }"), variables: {} }, { url: "/graphql", requestPolicy: "cache-first" });
  const graphQLErrors = errors.map((e) => new GraphQLError("Your role does not allow this.", { path: e.path, extensions: { code: "FORBIDDEN" } }));
  return { operation, data, error: graphQLErrors.length ? new CombinedError({ graphQLErrors }) : undefined, stale: false, hasNext: false };
};

describe("nulledAbove", () => {
  it.each([
    [{ organization: null }, ["organization", "members"], true],
    [{ organization: { id: "o", apiTokens: null } }, ["organization", "apiTokens"], false],
    [{ organization: { services: [{ owner: null }] } }, ["organization", "services", 0, "owner", "email"], true],
    [{ organization: { services: [{ id: "s" }] } }, ["organization", "services", 0, "uptime"], false],
    [{ organization: null }, ["organization"], false],
  ])("%j at %j: %s", (data, path, expected) => {
    expect(nulledAbove(data, path)).toBe(expected);
  });
});

describe("withoutPropagatedNulls", () => {
  it("hands the cache no data when a refused field nulled the organisation", () => {
    expect(withoutPropagatedNulls(result("query", { organization: null }, [{ path: ["organization", "members"] }])).data).toBeUndefined();
  });
  it("keeps data when the refused field itself is null and its parents stand", () => {
    const kept = result("query", { organization: { id: "o", webhooks: null } }, [{ path: ["organization", "webhooks"] }]);
    expect(withoutPropagatedNulls(kept).data).toEqual({ organization: { id: "o", webhooks: null } });
  });
  it("leaves results without errors, and mutations, as they are", () => {
    const clean = result("query", { organization: null }, []);
    expect(withoutPropagatedNulls(clean)).toBe(clean);
    const mutation = result("mutation", { removeMember: null }, [{ path: ["removeMember", "id"] }]);
    expect(withoutPropagatedNulls(mutation)).toBe(mutation);
  });
});
