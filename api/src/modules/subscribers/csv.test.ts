import { describe, expect, it } from "vitest";
import { csvCell, subscriberCsvRow } from "./csv.ts";

describe("csvCell", () => {
  it.each([
    ["plain", `"plain"`],
    ["with, comma", `"with, comma"`],
    ['say "hi"', `"say ""hi"""`],
    ["line\nbreak", `"line\nbreak"`],
    // Formula starts are defused with a leading quote (CSV injection).
    ["=HYPERLINK(\"http://evil\")", `"'=HYPERLINK(""http://evil"")"`],
    ["+1", `"'+1"`],
    ["-2+3", `"'-2+3"`],
    ["@SUM(A1)", `"'@SUM(A1)"`],
    ["\tTab", `"'\tTab"`],
    ["\rCR", `"'\rCR"`],
    ["a=b", `"a=b"`],
    ["", `""`],
  ])("%j -> %s", (value, cell) => expect(csvCell(value)).toBe(cell));
});

describe("subscriberCsvRow", () => {
  it("names the chosen services, or (all)", () => {
    const createdAt = new Date("2026-12-01T10:00:00.000Z");
    expect(subscriberCsvRow({ email: "a@example.com", services: [], confirmedAt: null, createdAt })).toBe(`"a@example.com","(all)","no","","2026-12-01T10:00:00.000Z"\r\n`);
    expect(subscriberCsvRow({ email: "b@example.com", services: ["API", "=Web"], confirmedAt: createdAt, createdAt })).toBe(
      `"b@example.com","API; =Web","yes","2026-12-01T10:00:00.000Z","2026-12-01T10:00:00.000Z"\r\n`,
    );
  });
});
