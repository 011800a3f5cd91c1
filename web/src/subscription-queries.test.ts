// The visitor's subscription documents go to /graphql/public: each must be valid against that
// schema, not only the admin one codegen types them with.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, validate, type DocumentNode } from "graphql";
import { describe, expect, it } from "vitest";
import * as documents from "./subscription-queries.ts";

const publicSchema = buildSchema(readFileSync(join(import.meta.dirname, "../../schema/public.graphql"), "utf8"));

describe("the subscription documents", () => {
  it.each(Object.entries(documents))("%s is valid on /graphql/public", (_name, document) => {
    expect(validate(publicSchema, document as DocumentNode).map((error) => error.message)).toEqual([]);
  });
});
