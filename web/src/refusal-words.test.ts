import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { refusalOf } from "./refusal-words.ts";

const refused = (message: string, extensions: Record<string, unknown>) => new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });

describe("refusalOf", () => {
  it("keeps the server's message for people, with its field", () => {
    expect(refusalOf(refused("The end must be later than the start.", { code: "BAD_USER_INPUT", field: "scheduledEnd" }))).toEqual({
      message: "The end must be later than the start.",
      field: "scheduledEnd",
      code: "BAD_USER_INPUT",
    });
  });
  it("puts GraphQL's raw coercion text into words, naming the field by its label", () => {
    const raw = 'Variable "$input" got invalid value 999999999999 at "input.position"; Int cannot represent non 32-bit signed integer value: 999999999999';
    expect(refusalOf(refused(raw, { code: "BAD_USER_INPUT", field: "position" })).message).toBe("Order must be a whole number in range.");
    expect(refusalOf(refused('Variable "$input" got invalid value "x" at "input.impact"; Value "x" does not exist in "ServiceStatus" enum.', { code: "BAD_USER_INPUT", field: "impact" })).message).toBe("Impact is not a valid value.");
  });
  it("says the server could not be reached when nothing answered", () => {
    expect(refusalOf(new CombinedError({ networkError: new Error("Failed to fetch") })).message).toBe("The server could not be reached. Try again.");
  });
});
