// Which operation the console runs, read from the text itself (GraphiQL's own reading lags the
// editor by 100 ms): the named one if the text has it, else the only one.
import { describe, expect, it } from "vitest";
import { operationNameToSend, operationToRun, takeAuthorization } from "./fetcher.ts";

describe("operationToRun", () => {
  it.each([
    ["subscription S { a }", "S", "subscription", "S"],
    ["subscription S { a }", undefined, "subscription", "S"],
    ["subscription S { a }", "Viewer", "subscription", "S"], // a stale name from the last edit
    ["{ viewer { email } }", "Viewer", "query", undefined],
    ["query A { a } subscription B { b }", "B", "subscription", "B"],
    ["mutation M { m }", null, "mutation", "M"],
  ])("%s (operationName %s) runs a %s named %s", (query, operationName, kind, name) => {
    const operation = operationToRun({ query, operationName });
    expect(operation?.operation).toBe(kind);
    expect(operation?.name?.value).toBe(name);
  });

  it.each([
    ["query A { a } query B { b }", "C"], // two operations, neither named: the server says which is missing
    ["query A { a } query B { b }", undefined],
    ["{ unfinished", undefined],
  ])("%s (operationName %s) is left to the server", (query, operationName) => {
    expect(operationToRun({ query, operationName })).toBeNull();
  });
});

describe("operationNameToSend", () => {
  it.each([
    ["{ viewer { email } }", "Viewer", null], // the last edit's name, gone from the text
    ["query Viewer { viewer { email } }", null, "Viewer"],
    ["query A { a } query B { b }", "B", "B"],
    ["query A { a } query B { b }", "C", "C"], // unknown: the server says so
  ])("%s (operationName %s) sends %s", (query, operationName, sent) => {
    const params = { query, operationName };
    expect(operationNameToSend(params, operationToRun(params))).toBe(sent);
  });
});

describe("takeAuthorization", () => {
  it("takes the Headers tab's authorization in any case and keeps the rest", () => {
    expect(takeAuthorization({ Authorization: " Bearer sp_1 ", "x-trace": "1" })).toEqual({ authorization: "Bearer sp_1", rest: { "x-trace": "1" } });
    expect(takeAuthorization({ authorization: "" })).toEqual({ authorization: null, rest: {} });
    expect(takeAuthorization(undefined)).toEqual({ authorization: null, rest: {} });
  });
});
