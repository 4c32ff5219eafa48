import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["0", 0],
    ["2h45m", 9_900_000],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "10", "-1s", "1x", "s", "1m 30s"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow("invalid duration");
  });
});

describe("formatDuration", () => {
  it.each([
    [850, "850 ms"],
    [1_234, "1.2 s"],
    [42_000, "42 s"],
    [185_000, "3 min 5 s"],
    [120_000, "2 min"],
  ])("formats %i", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
