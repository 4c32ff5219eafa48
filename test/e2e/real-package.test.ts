import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNodeImage, containerTestsEnabled } from "./node-image.js";
import { runPogo } from "./pogo.js";
import { fetchPackage, makeBrokenCopy, PACKAGE_SPEC, writeTestPipeline } from "./real-package.js";

// What the probe command prints inside the image built from the fixture
// Dockerfile: the host's own shell is not busybox, and its cwd is not /workspace.
const PROBE_LINE = "e2e-probe cwd=/workspace sh=/bin/busybox ci=true";

// The engine's debug log names each container it creates, `pogo-<run>-main`
// for the task's own, so a test can look for what the run left behind.
const ENGINE_DEBUG = { DEBUG: "pogo:engine" };

function runPrefix(output: string): string {
  const match = /create container (pogo-[0-9a-f]+)-main/.exec(output);
  if (!match) throw new Error(`no container creation in the engine log:\n${output.slice(-2000)}`);
  return match[1]!;
}

/** Lists the containers, volumes and networks whose names start with `prefix`. */
function leftovers(prefix: string): string[] {
  const names = (args: string[]) =>
    execFileSync("docker", args, { encoding: "utf8" })
      .split("\n")
      .filter((name) => name.startsWith(prefix));
  return [
    ...names(["ps", "--all", "--format", "{{.Names}}", "--filter", `name=${prefix}`]),
    ...names(["volume", "ls", "--format", "{{.Name}}", "--filter", `name=${prefix}`]),
    ...names(["network", "ls", "--format", "{{.Name}}", "--filter", `name=${prefix}`]),
  ];
}

function pogoCiTest(cwd: string) {
  return runPogo(["ci", "test", "--event-type", "push", "--rev", "main"], {
    cwd,
    env: ENGINE_DEBUG,
  });
}

describe.skipIf(!containerTestsEnabled())(`${PACKAGE_SPEC} through pogo ci test`, () => {
  let workDir = "";
  let packageDir = "";
  let brokenDir = "";

  beforeAll(() => {
    buildNodeImage();
    workDir = mkdtempSync(join(tmpdir(), "pogo-e2e-"));
    packageDir = fetchPackage(workDir);
    writeTestPipeline(packageDir);
    brokenDir = join(workDir, "broken");
    makeBrokenCopy(packageDir, brokenDir);
  }, 180_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("passes the package's tests in a container", async () => {
    const result = await pogoCiTest(packageDir);
    const output = result.stdout + result.stderr;

    expect(result.code, output).toBe(0);
    expect(result.stdout).toContain(PROBE_LINE);
    const planned = /^.*\b1\.\.(\d+)\s*$/m.exec(result.stdout)?.[1];
    const passed = /^.*# pass\s+(\d+)\s*$/m.exec(result.stdout)?.[1];
    expect(Number(planned)).toBeGreaterThan(100);
    expect(passed).toBe(planned);
    expect(result.stdout).toMatch(/^.*# ok\s*$/m);
    expect(result.stdout).not.toMatch(/# fail\s+\d+/);
    expect(leftovers(runPrefix(output))).toEqual([]);
  });

  it("fails the broken copy with tape's exit code", async () => {
    const result = await pogoCiTest(brokenDir);
    const output = result.stdout + result.stderr;

    expect(result.code, output).toBe(1);
    expect(result.stdout).toContain(PROBE_LINE);
    expect(result.stdout).toMatch(/not ok \d+ long boolean/);
    expect(result.stdout).toMatch(/^.*# fail\s+1\s*$/m);
    // tape exits 1 when an assertion fails, and the task reports that code with the command.
    expect(result.stdout).toContain(
      "`node_modules/.bin/tape 'test/**/*.js'` failed with exit code 1.",
    );
    expect(result.stdout).toMatch(/^test\.yaml\s+main\s+failed\b/m);
    expect(leftovers(runPrefix(output))).toEqual([]);
  });
});
