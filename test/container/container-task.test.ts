import { existsSync } from "node:fs";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerSpec } from "../../src/config/types.js";
import { type Engine, LABEL, pruneBuildCache, workspaceRunRoot } from "../../src/engine/index.js";
import { ContainerExecutor } from "../../src/tasks/container.js";
import { findTestEngine, leftoversOfRun } from "../support/engine.js";
import {
  BUSYBOX_IMAGE,
  EXITING_IMAGE,
  ensureTestImages,
  HEALTHCHECK_HTTPD_IMAGE,
  HTTPD_IMAGE,
} from "../support/images.js";
import { taskContext } from "../support/task-context.js";

const { engine, skipReason } = await findTestEngine();
if (skipReason) console.warn(`container tests skipped: ${skipReason}`);

describe.skipIf(!engine)("container tasks on a real engine", () => {
  let repository: string;
  const runIds: string[] = [];
  const executor = new ContainerExecutor({
    engine: engine!,
    sweepOnStart: false,
    hashCacheDir: null,
  });

  const run = async (spec: ContainerSpec, overrides: Parameters<typeof taskContext>[0] = {}) => {
    const context = taskContext({ workspaceDir: repository, ...overrides });
    runIds.push(context.runId);
    const result = await executor.run(spec, context);
    return { result, log: context.log, runId: context.runId };
  };

  beforeAll(async () => {
    await ensureTestImages();
    repository = await mkdtemp(join(tmpdir(), "pogo-container-test-"));
    await writeFile(join(repository, "README.md"), "hello from the repository\n");
    await mkdir(join(repository, "src"));
    await writeFile(join(repository, "src", "main.sh"), "echo main\n");
  });

  afterEach(async () => {
    for (const runId of runIds.splice(0)) {
      expect(await leftoversOfRun(engine!, runId)).toEqual([]);
    }
  });

  afterAll(async () => {
    if (repository) await rm(repository, { recursive: true, force: true });
  });

  it("runs commands in order with the repository at /workspace", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["pwd", "cat README.md", "echo written > new-file && ls"],
    });
    expect(result).toMatchObject({ status: "success", exitCode: 0 });
    const stdout = log.output("stdout");
    expect(stdout).toContain("/workspace\n");
    expect(stdout).toContain("hello from the repository");
    expect(stdout).toMatch(/new-file/);
    expect(log.text()).toContain("$ cat README.md\n");
    expect(await readdir(repository)).toEqual(["README.md", "src"]);
  });

  it("keeps container writes away from the host tree", async () => {
    const { result } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["echo changed > README.md", "rm -r src", "mkdir extra"],
    });
    expect(result.status).toBe("success");
    expect(await readFile(join(repository, "README.md"), "utf8")).toBe(
      "hello from the repository\n",
    );
    expect(await readdir(repository)).toEqual(["README.md", "src"]);
  });

  it("sets CI, POGO variables and task environment", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: [
        'echo "CI=$CI REV=$POGO_REV REPO=$POGO_REPOSITORY REVISION=$POGO_REVISION EVENT=$POGO_EVENT X=$X"',
      ],
      environment: { X: "from task", POGO_EVENT: "overridden" },
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toContain(
      "CI=true REV=main REPO=acme/web REVISION=rev-123 EVENT=overridden X=from task",
    );
  });

  it("fails with the failing command and its exit code", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["echo first", "echo oops >&2; exit 7", "echo never"],
    });
    expect(result.status).toBe("failed");
    expect(result.exitCode).toBe(7);
    expect(result.command).toBe("echo oops >&2; exit 7");
    expect(result.reason).toContain("Command 2 of 3");
    expect(log.output("stderr")).toContain("oops");
    expect(log.text()).not.toContain("never");
  });

  it("shows output without a final newline", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["printf 'partial'", "echo second"],
    });
    expect(result.status).toBe("success");
    expect(log.text()).toBe("$ printf 'partial'\npartial\n$ echo second\nsecond\n");
  });

  it("names the failing command after a partial line", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      commands: ["printf 'partial'", "false"],
    });
    expect(result.status).toBe("failed");
    expect(result.command).toBe("false");
    expect(log.text()).toBe("$ printf 'partial'\npartial\n$ false\n");
  });

  it("ends a partial stderr line at the next command", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      // The pauses keep stderr between the two markers, because the engine keeps no order across streams.
      commands: ["sleep 0.3; printf 'err-partial' >&2; sleep 0.3", "echo third"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stderr")).toBe("err-partial\n");
    expect(log.text()).toBe(
      "$ sleep 0.3; printf 'err-partial' >&2; sleep 0.3\nerr-partial\n$ echo third\nthird\n",
    );
  });

  it("runs the image entrypoint without commands", async () => {
    const { result, log } = await run({ image: HTTPD_IMAGE, timeout: "2s" });
    expect(result.status).toBe("timeout");
    expect(log.text()).not.toContain("$ ");
    const exited = await run({ image: BUSYBOX_IMAGE, working_dir: "/tmp" });
    expect(exited.result).toMatchObject({ status: "success", exitCode: 0 });
  });

  it("honours working_dir", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      working_dir: "/tmp",
      commands: ["pwd"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toBe("/tmp\n");
  });

  it("reaches a service by its name", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      services: [
        { name: "web", image: HTTPD_IMAGE, environment: { GREETING: "greetings from web" } },
      ],
      commands: ["wget -q -O - http://web:80/"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toContain("greetings from web");
    // busybox httpd -v logs each request on stderr, which reaches the task log with the service's prefix.
    expect(log.output("stderr")).toMatch(/^\[web\] .*response:200/m);
  });

  it("allows a service named main", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      services: [{ name: "main", image: HTTPD_IMAGE }],
      commands: ["wget -q -O - http://main/"],
    });
    expect(result.status).toBe("success");
    expect(log.output("stdout")).toContain("hello from httpd");
  });

  it("waits for a service healthcheck", async () => {
    const { result, log } = await run({
      image: BUSYBOX_IMAGE,
      services: [{ name: "slow", image: HEALTHCHECK_HTTPD_IMAGE }],
      // No retry loop: the first request must succeed because the task waited for "healthy".
      commands: ["wget -q -O - http://slow/"],
    });
    expect(result.status).toBe("success");
    expect(log.text()).toContain("service slow is healthy");
    expect(log.output("stdout")).toContain("ready");
  });

  it("fails when a service exits", async () => {
    const { result } = await run({
      image: BUSYBOX_IMAGE,
      services: [{ name: "broken", image: EXITING_IMAGE }],
      commands: ["echo never"],
    });
    expect(result.status).toBe("failed");
    expect(result.reason).toBe("Service broken exited with code 3 before it became healthy.");
  });

  it("fails when the image cannot be pulled", async () => {
    // A registry on a closed loopback port: the pull fails at once and nothing leaves the machine.
    const { result, log } = await run({
      image: "127.0.0.1:9/pogo-test/missing:1",
      commands: ["true"],
    });
    expect(result.status).toBe("failed");
    expect(result.reason).toContain("127.0.0.1:9/pogo-test/missing:1");
    expect(log.text()).toContain("pulling image 127.0.0.1:9/pogo-test/missing:1");
  });

  it("explains a failed pull on one line", async () => {
    // The registry is a closed loopback port, so the engine's real connection failure is the fault and no other host is contacted.
    const image = "127.0.0.1:9/pogo-test/does-not-exist:1";
    const { result } = await run({ image, commands: ["true"] });
    const reason = result.reason ?? "";
    expect(result.status).toBe("failed");
    expect(reason).toMatch(
      /^Image 127\.0\.0\.1:9\/pogo-test\/does-not-exist:1 is not on this machine and could not be pulled: /,
    );
    expect(reason).toMatch(/127\.0\.0\.1:9[^ ]*: connect: connection refused\. Build it locally/);
    expect(reason).toMatch(
      /check the image name, or check that the engine can reach its registry\.$/,
    );
    expect(reason).not.toContain("HTTP code");
    expect(reason).not.toContain("Failed to pull");
    expect(reason).not.toMatch(/\s\s|\n/);
  });

  it("stops at the timeout", async () => {
    const started = Date.now();
    const { result } = await run({ image: BUSYBOX_IMAGE, commands: ["sleep 60"], timeout: "1s" });
    expect(result.status).toBe("timeout");
    expect(result.reason).toContain("timed out after 1 s");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("stops with services at the timeout", async () => {
    const { result } = await run(
      {
        image: BUSYBOX_IMAGE,
        commands: ["sleep 60"],
        services: [{ name: "web", image: HTTPD_IMAGE }],
      },
      { timeoutMs: 1500 },
    );
    expect(result.status).toBe("timeout");
  });

  it("stops promptly on cancel", async () => {
    const controller = new AbortController();
    const context = taskContext({ workspaceDir: repository, signal: controller.signal });
    runIds.push(context.runId);
    const originalWrite = context.log.write.bind(context.log);
    context.log.write = (chunk, stream) => {
      originalWrite(chunk, stream);
      if (chunk.includes("waiting")) controller.abort();
    };
    const started = Date.now();
    const result = await executor.run(
      { image: BUSYBOX_IMAGE, commands: ["echo waiting; sleep 60"] },
      context,
    );
    expect(result.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("reports cancel before start", async () => {
    const controller = new AbortController();
    controller.abort();
    const { result } = await run(
      { image: BUSYBOX_IMAGE, commands: ["true"] },
      { signal: controller.signal },
    );
    expect(result.status).toBe("cancelled");
  });

  it("uploads the workspace when asked", async () => {
    const uploading = new ContainerExecutor({
      engine: engine!,
      sweepOnStart: false,
      workspace: "upload",
    });
    const context = taskContext({ workspaceDir: repository, data: taskContext().data });
    runIds.push(context.runId);
    const result = await uploading.run(
      {
        image: BUSYBOX_IMAGE,
        working_dir: "/",
        commands: ["cat /workspace/src/main.sh", "touch /workspace/x"],
      },
      context,
    );
    expect(result.status).toBe("success");
    expect(context.log.output("stdout")).toContain("echo main");
    expect(await readdir(repository)).toEqual(["README.md", "src"]);
  });

  it("falls back to upload when overlay fails", async () => {
    const { engine: flaky, runDirs } = failingFirstMount(engine!, repository);
    const executor = new ContainerExecutor({ engine: flaky, sweepOnStart: false });
    const context = taskContext({ workspaceDir: repository });
    runIds.push(context.runId);

    const result = await executor.run(
      { image: BUSYBOX_IMAGE, commands: ["cat README.md"] },
      context,
    );

    expect(result.status).toBe("success");
    expect(context.log.text()).toContain("the engine failed to mount the overlay workspace");
    expect(context.log.output("stdout")).toBe("hello from the repository\n");
    expect(runDirs).toHaveLength(1);
    expect(runDirs[0]!.startsWith(workspaceRunRoot())).toBe(true);
    expect(existsSync(runDirs[0]!)).toBe(false);
  });

  it("fails with a bad timeout", async () => {
    const { result } = await run({ image: BUSYBOX_IMAGE, timeout: "soon" });
    expect(result.status).toBe("failed");
    expect(result.reason).toContain("Invalid `timeout`");
  });

  describe("Dockerfile images", () => {
    let project: string;
    const buildRuns: string[] = [];

    beforeAll(async () => {
      project = await mkdtemp(join(tmpdir(), "pogo-dockerfile-test-"));
      await mkdir(join(project, "ci"));
      // A unique file makes this test's cache image its own, so parallel runs do not share it.
      await writeFile(join(project, "unique.txt"), `${Date.now()}-${Math.random()}\n`);
      await writeFile(
        join(project, "ci", "Dockerfile"),
        [
          `FROM ${BUSYBOX_IMAGE}`,
          "COPY unique.txt /unique.txt",
          "RUN echo built > /built.txt",
        ].join("\n"),
      );
    });

    afterAll(async () => {
      // Only this test's own cache image goes: other test files may be using theirs right now.
      for (const runId of buildRuns)
        expect(await pruneBuildCache(engine!, { [LABEL.RUN]: runId })).toBe(1);
      if (project) await rm(project, { recursive: true, force: true });
    });

    it("builds once and reuses the image", async () => {
      const first = await run(
        { image: "./ci/Dockerfile", commands: ["cat /built.txt"] },
        { workspaceDir: project },
      );
      expect(first.result.status).toBe("success");
      expect(first.log.text()).toMatch(/building ci\/Dockerfile as pogo-build:/);
      expect(first.log.output("stdout")).toContain("built\n");
      buildRuns.push(first.runId);

      const second = await run(
        { image: "./ci/Dockerfile", commands: ["cat /built.txt"] },
        { workspaceDir: project },
      );
      expect(second.result.status).toBe("success");
      expect(second.log.text()).toMatch(/using cached image pogo-build:/);
      expect(second.log.text()).not.toMatch(/building/);
    });

    it("rejects a path leaving the repository", async () => {
      const { result } = await run({ image: "../outside/Dockerfile" }, { workspaceDir: project });
      expect(result.status).toBe("failed");
      expect(result.reason).toContain("leaves the repository");
    });

    it("rejects a symlink leaving the repository", async () => {
      const outside = await mkdtemp(join(tmpdir(), "pogo-outside-"));
      await writeFile(join(outside, "Dockerfile"), `FROM ${BUSYBOX_IMAGE}\n`);
      await symlink(join(outside, "Dockerfile"), join(project, "linked.Dockerfile"));
      try {
        const { result } = await run({ image: "./linked.Dockerfile" }, { workspaceDir: project });
        expect(result.status).toBe("failed");
        expect(result.reason).toContain("symbolic link");
      } finally {
        await rm(join(project, "linked.Dockerfile"));
        await rm(outside, { recursive: true, force: true });
      }
    });
  });
});

/**
 * Wraps `engine` so that the first container start finds the tree gone:
 * the tree is moved away only while the engine mounts the overlay volume,
 * so the daemon's mount fails for real. Records each workspace volume's run
 * directory.
 */
function failingFirstMount(engine: Engine, tree: string): { engine: Engine; runDirs: string[] } {
  const hidden = `${tree}-hidden`;
  const runDirs: string[] = [];
  const { containers, volumes } = engine;
  let first = true;

  const wrapped: Engine = {
    info: engine.info,
    images: engine.images,
    networks: engine.networks,
    describe: () => engine.describe(),
    volumes: {
      create: async (request) => {
        runDirs.push(request.labels[LABEL.RUN_DIR] ?? "");
        await volumes.create(request);
      },
      remove: (name) => volumes.remove(name),
      list: (filter) => volumes.list(filter),
    },
    containers: {
      create: (settings) => containers.create(settings),
      upload: (id, path, tar) => containers.upload(id, path, tar),
      wait: (id) => containers.wait(id),
      inspect: (id) => containers.inspect(id),
      kill: (id) => containers.kill(id),
      remove: (id) => containers.remove(id),
      list: (filter) => containers.list(filter),
      start: async (id, onOutput) => {
        if (!first) return containers.start(id, onOutput);
        first = false;
        await rename(tree, hidden);
        try {
          return await containers.start(id, onOutput);
        } finally {
          await rename(hidden, tree);
        }
      },
    },
  };
  return { engine: wrapped, runDirs };
}
