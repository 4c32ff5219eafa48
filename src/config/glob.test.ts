import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkGlob, GlobPatternError, matchGlob } from "./glob.js";

type Verdict = "match" | "no" | "bad";

// Verdicts of Go's own `path.Match` (go1.19.8) for every pattern × name pair in the file.
const goCases = JSON.parse(
  readFileSync(new URL("../../test/fixtures/config/go-path-match.json", import.meta.url), "utf8"),
) as Array<[string, string, Verdict]>;

function verdict(pattern: string, name: string): Verdict {
  try {
    return matchGlob(pattern, name) ? "match" : "no";
  } catch (error) {
    if (error instanceof GlobPatternError) return "bad";
    throw error;
  }
}

describe("matchGlob", () => {
  it("agrees with Go path.Match on every recorded pair", () => {
    const disagreements = goCases
      .filter(([pattern, name, expected]) => verdict(pattern, name) !== expected)
      .map(
        ([pattern, name, expected]) =>
          `${pattern} ~ ${name}: Go says ${expected}, got ${verdict(pattern, name)}`,
      );
    expect(disagreements).toEqual([]);
    expect(goCases.length).toBeGreaterThan(1000);
  });

  it.each([
    ["v*", "v1.0.0", true],
    ["v*", "v1/hotfix", false],
    ["feature/*", "feature/login", true],
    ["release-?", "release-1", true],
    ["[a-c]x", "bx", true],
    ["[^a-c]x", "bx", false],
    ["\\*", "*", true],
    ["\\*", "a", false],
    ["[α-ω]*", "ωmega", true],
  ])("matches %s against %s as %s", (pattern, name, expected) => {
    expect(matchGlob(pattern, name)).toBe(expected);
  });

  it("rejects a malformed pattern even when the name differs early", () => {
    expect(() => matchGlob("x[", "y")).toThrow(GlobPatternError);
  });
});

describe("checkGlob", () => {
  it.each([
    ["release-[0-9", "not closed"],
    ["v\\", "lone `\\`"],
    ["v[1-]", "needs a character on each side"],
    ["[]a]", "empty or starts with `]`"],
  ])("explains why %s is malformed", (pattern, reason) => {
    expect(checkGlob(pattern)).toContain(reason);
  });

  it("accepts well-formed patterns", () => {
    for (const pattern of ["main", "v*", "release-*", "[a-z]*", "[^a-z]", "\\[x\\]", "temp-*"]) {
      expect(checkGlob(pattern)).toBeUndefined();
    }
  });
});
