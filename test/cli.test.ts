import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const pogo = new URL("../src/cli/pogo.ts", import.meta.url).pathname;

function run(args: string[]) {
  return spawnSync("npx", ["tsx", pogo, ...args], { encoding: "utf8" });
}

describe("pogo CLI", () => {
  it("prints the package version", () => {
    const version = execFileSync("npx", ["tsx", pogo, "--version"], { encoding: "utf8" }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("exits 2 on an unknown command", () => {
    const result = run(["no-such-command"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command");
  });
});
