import { describe, expect, it } from "vitest";
import { bookmarkNameProblem, repositoryNameProblem } from "./names.js";
import { pathProblem } from "./tree.js";

describe("bookmarkNameProblem", () => {
  it.each(["main", "release/1.0", "v1.2.3", "feature/a-b_c", "x@y", "ü"])("accepts %j", (name) => {
    expect(bookmarkNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["a b", "space"],
    ["a..b", "`..`"],
    ["a~1", "~"],
    ["a^", "~"],
    ["a:b", "~"],
    ["a\\b", "~"],
    ["a@{1}", "`@{`"],
    ["@", "`@{`"],
    ["/a", "starts or ends"],
    ["a/", "starts or ends"],
    ["a//b", "starts or ends"],
    ["a.", "ends with `.`"],
    [".hidden", "starts with `.`"],
    ["a/x.lock", "`.lock`"],
    ["tab\there", "control"],
    ["x".repeat(256), "longer"],
  ])("rejects %j", (name, reason) => {
    expect(bookmarkNameProblem(name)).toContain(reason);
  });
});

describe("repositoryNameProblem", () => {
  it.each(["app", "My.App_2", "a-b", "9lives"])("accepts %j", (name) => {
    expect(repositoryNameProblem(name)).toBeUndefined();
  });

  it.each(["", ".", "..", ".hidden", "-x", "a/b", "a b", "a..b", "x.", "a".repeat(101)])(
    "rejects %j",
    (name) => {
      expect(repositoryNameProblem(name)).toBeDefined();
    },
  );
});

describe("pathProblem", () => {
  it.each(["a", "a/b/c.txt", "with space/ünï", ".hidden/x", "a..b"])("accepts %j", (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["/abs", "absolute"],
    ["..", "`..`"],
    ["a/../b", "`..`"],
    ["./a", "`.`"],
    ["a//b", "empty part"],
    ["a/", "empty part"],
    ["a\\b", "backslash"],
    ["a\0b", "NUL"],
    ["x".repeat(256), "longer than 255"],
  ])("rejects %j", (path, reason) => {
    expect(pathProblem(path)).toContain(reason);
  });
});
