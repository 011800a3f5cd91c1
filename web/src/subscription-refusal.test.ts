import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { looksLikeEmail, subscriptionRefusal } from "./subscription-refusal.ts";

const refused = (message: string, extensions: Record<string, unknown>) => new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });

describe("subscriptionRefusal", () => {
  it("says a reached limit beside the address, with the wait in words", () => {
    expect(subscriptionRefusal(refused("Too many attempts: try again in 30 s.", { code: "RATE_LIMITED", retryAfter: 30 }))).toEqual({
      field: "email",
      message: "Too many subscription requests for this address or from your network. Try again in 30 seconds.",
    });
    expect(subscriptionRefusal(refused("Too many requests: retry in 600 s.", { code: "RATE_LIMITED", retryAfter: 600 })).message).toContain("in 10 minutes");
    expect(subscriptionRefusal(refused("Too many requests.", { code: "RATE_LIMITED" })).message).toContain("in a minute");
    expect(subscriptionRefusal(refused("Too many attempts.", { code: "RATE_LIMITED", retryAfter: 3600 })).message).toContain("in an hour.");
    expect(subscriptionRefusal(refused("Too many attempts.", { code: "RATE_LIMITED", retryAfter: 7000 })).message).toContain("in 2 hours.");
  });
  it("puts a refused address beside the field, in the visitor's words", () => {
    expect(subscriptionRefusal(refused("Email is not a valid address.", { code: "BAD_USER_INPUT", field: "email" }))).toEqual({
      field: "email",
      message: "Enter a valid email address, like name@example.com.",
    });
  });
  it("keeps anything else under the form", () => {
    expect(subscriptionRefusal(new CombinedError({ networkError: new Error("Failed to fetch") }))).toEqual({ field: null, message: "The server could not be reached. Try again." });
  });
});

describe("looksLikeEmail", () => {
  it.each([["a@b.co", true], ["name@example.com", true], ["", false], ["a@b", false], ["a b@c.de", false], ["@c.de", false]])("%s → %s", (value, expected) => {
    expect(looksLikeEmail(value)).toBe(expected);
  });
});
