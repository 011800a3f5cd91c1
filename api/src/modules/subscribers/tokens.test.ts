import { describe, expect, it } from "vitest";
import { CONFIRMATION_TTL_MS, createSubscriptionTokens } from "./tokens.ts";

const id = "0198a0a0-0000-7000-8000-000000000001";
const tokens = createSubscriptionTokens("a-secret-a-secret-a-secret-a-secret");
const now = Date.parse("2026-12-01T10:00:00Z");

describe("subscription tokens", () => {
  it("name their subscriber and purpose", () => {
    expect(tokens.verify(tokens.issue("confirm", id, now), now)).toEqual({ purpose: "confirm", subscriberId: id });
    expect(tokens.verify(tokens.issue("manage", id, now), now + 10 * 365 * 86_400_000)).toEqual({ purpose: "manage", subscriberId: id });
  });

  it("expire a confirmation after 48 hours; a manage token never", () => {
    const confirm = tokens.issue("confirm", id, now);
    expect(tokens.verify(confirm, now + CONFIRMATION_TTL_MS - 1_000)).not.toBeNull();
    expect(tokens.verify(confirm, now + CONFIRMATION_TTL_MS + 1_000)).toBeNull();
  });

  it.each([
    ["another server's", createSubscriptionTokens("another-secret-another-secret-xx").issue("manage", id)],
    ["a changed id", tokens.issue("manage", id).replace(id, id.replace(/1$/, "2"))],
    ["a changed purpose", tokens.issue("confirm", id, now).replace(/^c\./, "m.")],
    ["an extended expiry", tokens.issue("confirm", id, now).replace(/^(c\.[^.]+\.)[^.]+/, "$1zzzzzz")],
    ["a manage token made to expire", tokens.issue("manage", id).replace(/\.0\./, ".zz.")],
    ["a truncated signature", tokens.issue("manage", id).slice(0, -2)],
    ["extra parts", tokens.issue("manage", id) + ".x"],
    ["nonsense", "nonsense"],
    ["empty", ""],
    ["too long", "m." + "a".repeat(300)],
  ])("refuse %s", (_, token) => expect(tokens.verify(token, now)).toBeNull());
});
