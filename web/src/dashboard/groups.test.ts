import { describe, expect, it } from "vitest";
import { existingGroup, groupsOf } from "./groups.ts";

describe("groupsOf", () => {
  it("offers each group once, case aside, in the order of the services, without the ungrouped", () => {
    expect(groupsOf([{ group: "Frontend" }, { group: null }, { group: "Backend" }, { group: "frontend" }, {}])).toEqual(["Frontend", "Backend"]);
  });
});

describe("existingGroup", () => {
  it("finds the group a typed name joins, case and spaces aside", () => {
    expect(existingGroup(["Frontend", "Backend"], " frontend ")).toBe("Frontend");
    expect(existingGroup(["Frontend"], "Edge")).toBeUndefined();
  });
});
