import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCurrentOwner, LABEL, sweepOrphans, taskLabels } from "../../src/engine/index.js";
import { findTestEngine, leftoversOfRun } from "../support/engine.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import { testRunId } from "../support/task-context.js";

const { engine, skipReason } = await findTestEngine();
if (skipReason) console.warn(`crash cleanup tests skipped: ${skipReason}`);

const childScript = new URL("../support/run-task-child.ts", import.meta.url).pathname;

/** Starts the child runner and resolves once its container has printed `ready`. */
function startChild(
  runId: string,
  workspace: string,
  options: { service?: string; ownHandler?: boolean } = {},
): Promise<ChildProcess & { output: () => string }> {
  const command = "echo ready; sleep 120";
  const args = ["--import", "tsx", childScript, runId, BUSYBOX_IMAGE, workspace, command];
  if (options.service) args.push(options.service);
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, POGO_TEST_OWN_HANDLER: options.ownHandler ? "1" : "0" },
  });
  let output = "";
  const withOutput = Object.assign(child, { output: () => output });
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      output += text;
      if (output.includes("container output: ready")) resolve(withOutput);
    });
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      output += text;
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`child exited early (${code ?? signal}): ${output}`)),
    );
  });
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe.skipIf(!engine)("cleanup after the runner dies", () => {
  let workspace: string;

  beforeAll(async () => {
    await ensureTestImages();
    workspace = await mkdtemp(join(tmpdir(), "pogo-crash-test-"));
    await writeFile(join(workspace, "file.txt"), "x\n");
  });

  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  it("sweeps a SIGKILLed run", async () => {
    const runId = testRunId();
    const child = await startChild(runId, workspace, { service: HTTPD_IMAGE });
    expect(await leftoversOfRun(engine!, runId)).not.toEqual([]);
    const volumes = await engine!.volumes.list({ [LABEL.RUN]: runId });
    const runDirs = volumes
      .map((volume) => volume.labels[LABEL.RUN_DIR])
      .filter((dir) => dir !== undefined);

    child.kill("SIGKILL");
    await exited(child);
    // The objects outlive their owner until a sweep finds them.
    expect(await leftoversOfRun(engine!, runId)).not.toEqual([]);

    const report = await sweepOrphans(engine!, { runId });
    expect(report.containers).toBe(2);
    expect(report.networks).toBe(1);
    expect(await leftoversOfRun(engine!, runId)).toEqual([]);
    for (const dir of runDirs) expect(existsSync(dir)).toBe(false);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("cleans up on %s", async (sent) => {
    const runId = testRunId();
    const child = await startChild(runId, workspace);
    child.kill(sent);
    const { signal } = await exited(child);
    // The handler re-raises the signal after cleanup, so the process still ends by it.
    expect(signal).toBe(sent);
    expect(await leftoversOfRun(engine!, runId)).toEqual([]);
  });

  it("leaves SIGTERM to the process's own handler", async () => {
    const runId = testRunId();
    const child = await startChild(runId, workspace, { ownHandler: true });
    child.kill("SIGTERM");
    const { code, signal } = await exited(child);
    // The process's handler cancels the task and the process ends normally, with the result printed.
    expect(signal).toBeNull();
    expect(code, child.output()).toBe(0);
    expect(child.output()).toContain('result: {"status":"cancelled"');
    expect(await leftoversOfRun(engine!, runId)).toEqual([]);
  });

  it("spares objects of live owners", async () => {
    const runId = testRunId();
    const labels = taskLabels({
      runId,
      scope: "live",
      pipeline: "p",
      taskIndex: 0,
      role: "network",
    });
    expect(labels[LABEL.OWNER]).toContain(`:${getCurrentOwner().pid}:`);
    const id = await engine!.networks.create(`pogo-live-${runId}`, labels);
    try {
      const report = await sweepOrphans(engine!, { runId });
      expect(report.networks).toBe(0);
      expect(await leftoversOfRun(engine!, runId)).toEqual([`network pogo-live-${runId}`]);

      const swept = await sweepOrphans(engine!, { runId, isAlive: () => false });
      expect(swept.networks).toBe(1);
    } finally {
      await engine!.networks.remove(id);
    }
    expect(await leftoversOfRun(engine!, runId)).toEqual([]);
  });

  it("spares objects without an owner label", async () => {
    const runId = testRunId();
    const name = `pogo-unowned-${runId}`;
    await engine!.volumes.create({ name, labels: { [LABEL.MANAGED]: "true", [LABEL.RUN]: runId } });
    try {
      const report = await sweepOrphans(engine!, { runId, isAlive: () => false });
      expect(report.volumes).toBe(0);
    } finally {
      await engine!.volumes.remove(name);
    }
  });
});
