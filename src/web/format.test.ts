import { describe, expect, it } from "vitest";
import { durationText, firstLine, formatDuration, formatTime } from "./format.js";

const space = (text: string) => text.replaceAll("\u00a0", " ");

describe("formatDuration", () => {
  const cases: Array<[number, string]> = [
    [-5, "0 ms"],
    [850, "850 ms"],
    [12_400, "12.4 s"],
    [185_000, "3 min 05 s"],
    [7_620_000, "2 h 07 min"],
  ];
  for (const [milliseconds, text] of cases) {
    it(`formats ${milliseconds} ms`, () => {
      expect(space(formatDuration(milliseconds))).toBe(text);
    });
  }
});

describe("durationText", () => {
  it("is empty before the start", () => {
    expect(durationText(null, null, 10)).toBe("");
  });

  it("counts to now while unfinished", () => {
    expect(space(durationText(1000, null, 3000))).toBe("2.0 s");
  });
});

describe("formatTime", () => {
  it("prints UTC to the second", () => {
    expect(formatTime(Date.UTC(2026, 11, 4, 20, 15, 3, 999))).toBe("2026-12-04 20:15:03 UTC");
  });
});

describe("firstLine", () => {
  it("cuts at the first newline and the limit", () => {
    expect(firstLine("one\ntwo")).toBe("one");
    expect(firstLine("abcdef", 4)).toBe("abc…");
  });
});
