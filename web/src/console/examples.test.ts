// The console's example operations must run as they are: each one parses and validates
// against the printed schema of the endpoint it is shown on, and names the organisation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, Kind, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { adminExamples, ORGANIZATION_ID_PLACEHOLDER, publicExamples } from "./examples.ts";

const schema = (name: string) => buildSchema(readFileSync(join(import.meta.dirname, "../../../schema", `${name}.graphql`), "utf8"));
const admin = schema("admin");
const publicSchema = schema("public");
const org = { id: "org_123", slug: "dance", name: "Dance" };

const problems = (tabs: { query: string }[], against: ReturnType<typeof schema>) =>
  tabs.flatMap((tab) => validate(against, parse(tab.query)).map((error) => error.message));

describe("the console's example operations", () => {
  it("validate against the admin schema, with a query, a mutation and a subscription", () => {
    const tabs = adminExamples(org);
    expect(problems(tabs, admin)).toEqual([]);
    const kinds = tabs.map((tab) => parse(tab.query).definitions.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? d.operation : d.kind)).join());
    expect(kinds).toEqual(["query", "mutation", "subscription"]);
  });

  it("carry the organisation's id in the mutation's and the subscription's variables", () => {
    const [, mutation, subscription] = adminExamples(org);
    expect(JSON.parse(mutation!.variables!)).toMatchObject({ input: { organizationId: "org_123" } });
    expect(JSON.parse(subscription!.variables!)).toEqual({ organizationId: "org_123" });
    expect(adminExamples(org)[0]!.query).toContain('organization(slug: "dance")');
    expect(adminExamples(org)[0]!.variables).toBeUndefined(); // see examples.ts
  });

  it("say where the id comes from when no organisation is known", () => {
    const [, , subscription] = adminExamples(null);
    expect(JSON.parse(subscription!.variables!)).toEqual({ organizationId: ORGANIZATION_ID_PLACEHOLDER });
  });

  it("validate against the public schema on /graphql/public", () => {
    const tabs = publicExamples("dance");
    expect(problems(tabs, publicSchema)).toEqual([]);
    expect(tabs[0]!.query).toContain('statusPage(slug: "dance")');
    expect(tabs[0]!.variables).toBeUndefined();
    expect(JSON.parse(tabs[1]!.variables!)).toEqual({ slug: "dance" });
  });
});
