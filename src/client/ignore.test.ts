import { describe, expect, it } from "vitest";
import { IgnoreRules } from "./ignore.js";

describe("IgnoreRules", () => {
  const cases: Array<[patterns: string, path: string, isDirectory: boolean, ignored: boolean]> = [
    ["*.log", "build.log", false, true],
    ["*.log", "deep/dir/build.log", false, true],
    ["*.log", "build.log.txt", false, false],
    ["/top.txt", "top.txt", false, true],
    ["/top.txt", "sub/top.txt", false, false],
    ["build/", "build", true, true],
    ["build/", "build", false, false],
    ["build/", "src/build", true, true],
    ["docs/*.md", "docs/a.md", false, true],
    ["docs/*.md", "docs/sub/a.md", false, false],
    ["docs/*.md", "other/docs/a.md", false, false],
    ["**/cache", "a/b/cache", true, true],
    ["**/cache", "cache", true, true],
    ["a/**/z", "a/z", false, true],
    ["a/**/z", "a/b/c/z", false, true],
    ["logs/**", "logs/x/y", false, true],
    ["file?.txt", "file1.txt", false, true],
    ["file?.txt", "file10.txt", false, false],
    ["[ab].txt", "a.txt", false, true],
    ["[!ab].txt", "a.txt", false, false],
    ["[!ab].txt", "c.txt", false, true],
    ["*.log\n!keep.log", "keep.log", false, false],
    ["*.log\n!keep.log", "drop.log", false, true],
    ["# comment\n\n", "# comment", false, false],
    ["\\#hash", "#hash", false, true],
    ["a.b", "axb", false, false],
  ];

  it.each(cases)("%j on %j (directory: %s) ignores: %s", (patterns, path, isDirectory, ignored) => {
    expect(new IgnoreRules().add(patterns).ignores(path, isDirectory)).toBe(ignored);
  });
});
