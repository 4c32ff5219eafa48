import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const pogo = new URL("../../src/cli/pogo.ts", import.meta.url).pathname;
// An absolute loader URL, because `--import tsx` resolves from the child's working directory.
const tsx = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const base = mkdtempSync(path.join(tmpdir(), "pogo-validate-"));

afterAll(() => rmSync(base, { recursive: true, force: true }));

function pogoIn(cwd: string, args: string[]) {
  return pogoCi(cwd, ["validate", ...args]);
}

function pogoCi(cwd: string, args: string[]) {
  return spawnSync(process.execPath, ["--import", tsx, pogo, "ci", ...args], {
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

  it("exits 2 when .pogo/ci is a file", () => {
    const root = path.join(base, "ci-file");
    mkdirSync(path.join(root, ".pogo"), { recursive: true });
    writeFileSync(path.join(root, ".pogo", "ci"), "");
    for (const command of [["validate"], ["render"], ["test", "--dry-run"]]) {
      const result = pogoCi(root, command);
      expect(result.status, command[0]).toBe(2);
      expect(result.stderr, command[0]).toBe(
        `pogo: ${path.join(root, ".pogo", "ci")} is not a folder; pipelines live in .pogo/ci/*.yaml, so replace the file with a folder\n`,
      );
    }
  });

  it("reports entries it cannot read", () => {
    const root = repository("unreadable", { "ok.yaml": valid });
    const ci = path.join(root, ".pogo", "ci");
    symlinkSync("missing.yaml", path.join(ci, "dangling.yaml"));
    mkdirSync(path.join(ci, "dir.yaml"));
    symlinkSync("loop-b.yml", path.join(ci, "loop-a.yml"));
    symlinkSync("loop-a.yml", path.join(ci, "loop-b.yml"));
    const result = pogoIn(root, []);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(".pogo/ci/ok.yaml: valid\n");
    expect(result.stderr.trim().split("\n")).toEqual([
      ".pogo/ci/dangling.yaml:1:1: cannot read the config file: it is a symbolic link to a file that does not exist",
      ".pogo/ci/dir.yaml:1:1: cannot read the config file: it is a folder, not a file",
      ".pogo/ci/loop-a.yml:1:1: cannot read the config file: it is a symbolic link loop",
      ".pogo/ci/loop-b.yml:1:1: cannot read the config file: it is a symbolic link loop",
    ]);
  });

  it("reports invalid UTF-8 at its byte", () => {
    const root = repository("encoding", {});
    const text = Buffer.concat([
      Buffer.from('version: 1\non:\n  push:\n    bookmarks: ["é'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('in"]\ndo:\n  - container:\n      image: alpine\n'),
    ]);
    writeFileSync(path.join(root, ".pogo", "ci", "bad.yaml"), text);
    const result = pogoIn(root, []);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      ".pogo/ci/bad.yaml:4:19: invalid UTF-8; save the config file as UTF-8\n",
    );
  });

  it("rejects files over 1 MiB", () => {
    const text = `${valid}# ${"x".repeat(1024 * 1024)}\n`;
    const root = repository("large", { "big.yaml": text });
    const result = pogoIn(root, [".pogo/ci/big.yaml"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `.pogo/ci/big.yaml:1:1: the config file is ${text.length} bytes, over the limit of 1048576 bytes (1 MiB); split it into several pipelines\n`,
    );
  });

  it("checks existing files beside a missing one", () => {
    const root = repository("some-missing", { "bad.yaml": "version: 1\n" });
    writeFileSync(path.join(root, "good.yaml"), valid);
    const result = pogoIn(root, ["good.yaml", ".pogo/ci/bad.yaml", "/nonexistent.yaml"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("good.yaml: valid\n");
    expect(result.stderr).toContain(".pogo/ci/bad.yaml:1:1: missing required key `on`");
    expect(result.stderr).toContain("pogo: file not found: /nonexistent.yaml\n");
  });
});
