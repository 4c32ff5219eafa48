import { describe, expect, it } from "vitest";
import { formatDuration } from "./duration.js";

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
