import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const pogo = new URL("../../src/cli/pogo.ts", import.meta.url).pathname;
// An absolute loader URL, because `--import tsx` resolves from the child's working directory.
const tsx = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const base = mkdtempSync(path.join(tmpdir(), "pogo-validate-"));

afterAll(() => rmSync(base, { recursive: true, force: true }));

function pogoIn(cwd: string, args: string[]) {
  return spawnSync(process.execPath, ["--import", tsx, pogo, "ci", "validate", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}

function repository(name: string, files: Record<string, string>): string {
  const root = path.join(base, name);
  mkdirSync(path.join(root, ".pogo", "ci"), { recursive: true });
  for (const [file, text] of Object.entries(files))
    writeFileSync(path.join(root, ".pogo", "ci", file), text);
  return root;
}

const valid =
  "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: alpine:3.20\n";

describe("pogo ci validate", () => {
  it("exits 0 for valid configs", () => {
    const root = repository("valid", { "build.yaml": valid, "deploy.yml": valid });
    mkdirSync(path.join(root, "src"));
    const result = pogoIn(path.join(root, "src"), []);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("../.pogo/ci/build.yaml: valid\n../.pogo/ci/deploy.yml: valid\n");
    expect(result.status).toBe(0);
  });

  it("exits 1 with every error", () => {
    const root = repository("invalid", {
      "a.yaml": valid,
      "b.yaml":
        "version: 1\non:\n  push:\n    bookmarks: [main]\ndo:\n  - container:\n      image: ../x/Dockerfile\n      comands: [make]\n",
    });
    const result = pogoIn(root, []);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(".pogo/ci/a.yaml: valid\n");
    expect(result.stderr.trim().split("\n")).toEqual([
      ".pogo/ci/b.yaml:7:14: `do[0].container.image` `../x/Dockerfile` leaves the repository; a Dockerfile path must stay inside it, such as `./Dockerfile`",
      ".pogo/ci/b.yaml:8:7: unknown key `comands` in `do[0].container`; did you mean `commands`?",
    ]);
  });

  it("checks the files it is given", () => {
    const root = repository("files", { "x.yaml": "version: 1\n" });
    writeFileSync(path.join(root, "other.yaml"), valid);
    const good = pogoIn(root, ["other.yaml"]);
    expect(good.status).toBe(0);
    const bad = pogoIn(root, ["other.yaml", ".pogo/ci/x.yaml"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(".pogo/ci/x.yaml:1:1: missing required key `on`");
  });

  it("exits 2 for a missing file", () => {
    const result = pogoIn(base, ["missing.yaml"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("pogo: file not found: missing.yaml\n");
  });

  it("exits 2 outside a repository", () => {
    const outside = path.join(base, "plain");
    mkdirSync(outside);
    const result = pogoIn(outside, []);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("pogo: no repository found");
  });
});
