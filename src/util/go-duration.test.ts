import { describe, expect, it } from "vitest";
import { DurationError, parseGoDuration } from "./go-duration.js";

describe("parseGoDuration", () => {
  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["300ms", 300],
    ["2h45m10s", 9_910_000],
    ["0", 0],
    ["-1s", -1000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(["", "10", "1d", "h", "1h 30m", "ten minutes"])("rejects %j", (text) => {
    expect(() => parseGoDuration(text)).toThrow(DurationError);
  });
});
