import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerSpec } from "../../src/config/types.js";
import { DockerCliStrategy, type Engine, LABEL } from "../../src/engine/index.js";
import { ContainerExecutor, type ContainerExecutorOptions } from "../../src/tasks/container.js";
import { findTestEngine, leftoversOfRun } from "../support/engine.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import { taskContext } from "../support/task-context.js";

const { engine: apiEngine, skipReason } = await findTestEngine();
const cliEngine = apiEngine ? await new DockerCliStrategy().detect() : "no engine";
if (skipReason) console.warn(`CLI backend tests skipped: ${skipReason}`);
if (apiEngine && typeof cliEngine === "string" && process.env.CI === "true") {
  throw new Error(`the docker CLI is required for the CLI backend tests: ${cliEngine}`);
}
const engine: Engine | undefined = typeof cliEngine === "string" ? undefined : cliEngine;

describe.skipIf(!engine)("container tasks through the docker CLI", () => {
  let repository: string;
  const runIds: string[] = [];

  const run = async (spec: ContainerSpec, options: Partial<ContainerExecutorOptions> = {}) => {
    const executor = new ContainerExecutor({ engine: engine!, sweepOnStart: false, ...options });
    const context = taskContext({ workspaceDir: repository });
    runIds.push(context.runId);
    const result = await executor.run(spec, context);
    return { result, log: context.log };
  };

  beforeAll(async () => {
    await ensureTestImages();
    repository = await mkdtemp(join(tmpdir(), "pogo-cli-test-"));
    await writeFile(join(repository, "README.md"), "from the repository\n");
  });

  afterEach(async () => {
    for (const runId of runIds.splice(0)) {
      expect(await leftoversOfRun(engine!, runId)).toEqual([]);
    }
  });

  afterAll(async () => {
    if (repository) await rm(repository, { recursive: true, force: true });
  });

  it("describes itself as the CLI", () => {
    expect(engine!.info.backend).toBe("cli");
    expect(engine!.describe()).toMatch(/through the CLI docker, found via the docker CLI$/);
  });

  it("runs commands with the workspace", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["cat README.md", "echo $CI > ci"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toBe("from the repository\n");
    expect(log.text()).toContain("$ cat README.md");
    expect(await readdir(repository)).toEqual(["README.md"]);
  });

  it("uploads the workspace", async () => {
    const { result, log } = await run(
      { image: BUSYBOX_IMAGE, commands: ["cat /workspace/README.md"] },
      { workspace: "upload" },
    );
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toBe("from the repository\n");
  });

  it("reaches a service by its name", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      services: [{ name: "api", image: HTTPD_IMAGE, environment: { GREETING: "cli service" } }],
      commands: ["wget -q -O - http://api/"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toContain("cli service");
  });

  it("names the failing command", async () => {
    const { result } = await run({ image: BUSYBOX_IMAGE, commands: ["true", "exit 42"] });
    expect(result).toMatchObject({ status: "failed", exitCode: 42, command: "exit 42" });
  });

  it("explains a failed pull on one line", async () => {
    // The registry is a closed loopback port, so no other host is contacted.
    const { result } = await run({ image: "127.0.0.1:9/pogo-test/does-not-exist:1" });
    const reason = result.reason ?? "";
    expect(result.status).toBe("failed");
    expect(reason).toMatch(
      /^Image 127\.0\.0\.1:9\/pogo-test\/does-not-exist:1 is not on this machine and could not be pulled: /,
    );
    expect(reason).toMatch(/connection refused\. Build it locally/);
    expect(reason).not.toContain("Error response from daemon");
    expect(reason).not.toMatch(/\s\s|\n/);
  });

  it("stops at the timeout", async () => {
    const { result } = await run({ image: BUSYBOX_IMAGE, commands: ["sleep 60"], timeout: "1s" });
    expect(result.status).toBe("timeout");
  });

  it("lists objects by label", async () => {
    const name = `pogo-cli-list-${Date.now()}`;
    await engine!.volumes.create({
      name,
      labels: { [LABEL.MANAGED]: "true", "dev.pogo.test": name },
    });
    try {
      const found = await engine!.volumes.list({ "dev.pogo.test": name });
      expect(found).toEqual([
        { id: name, name, labels: { [LABEL.MANAGED]: "true", "dev.pogo.test": name } },
      ]);
    } finally {
      await engine!.volumes.remove(name);
    }
    expect(await engine!.volumes.list({ "dev.pogo.test": name })).toEqual([]);
  });
});
