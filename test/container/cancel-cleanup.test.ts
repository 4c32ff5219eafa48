import { readdir } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Engine, runPendingCleanups, workspaceRunRoot } from "../../src/engine/index.js";
import { ContainerExecutor } from "../../src/tasks/container.js";
import { findTestEngine, leftoversOfRun } from "../support/engine.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../support/images.js";
import { taskContext } from "../support/task-context.js";

const { engine, skipReason } = await findTestEngine();
if (skipReason) console.warn(`cancel cleanup tests skipped: ${skipReason}`);

/** How long a delayed create waits for the cleanup before it is sent anyway. */
const CREATE_DELAY_MS = 1_000;

type CreateKind = "network" | "volume" | "container";

/**
 * Wraps `engine` so that the first create of `kind` starts `cancel` and is
 * sent to the engine only after the cleanup that `cancel` returns has
 * settled, or after CREATE_DELAY_MS when the cleanup waits for the create.
 * The delay stands for an engine that is slow to create an object, a
 * fault that a real engine cannot be made to show on demand. Records the
 * name of every object the task requested.
 */
function cancelDuringCreate(
  engine: Engine,
  kind: CreateKind,
  cancel: () => Promise<void>,
): { engine: Engine; names: string[] } {
  const names: string[] = [];
  let cancelled = false;
  const hold = async (created: CreateKind, name: string) => {
    names.push(name);
    if (created !== kind || cancelled) return;
    cancelled = true;
    await Promise.race([cancel(), delay(CREATE_DELAY_MS)]);
  };
  const { containers, networks, volumes } = engine;
  const wrapped: Engine = {
    info: engine.info,
    images: engine.images,
    describe: () => engine.describe(),
    networks: {
      create: async (name, labels) => {
        await hold("network", name);
        return networks.create(name, labels);
      },
      remove: (id) => networks.remove(id),
      list: (filter) => networks.list(filter),
    },
    volumes: {
      create: async (request) => {
        await hold("volume", request.name);
        await volumes.create(request);
      },
      remove: (name) => volumes.remove(name),
      list: (filter) => volumes.list(filter),
    },
    containers: {
      create: async (settings) => {
        await hold("container", settings.name);
        return containers.create(settings);
      },
      upload: (id, path, tar) => containers.upload(id, path, tar),
      start: (id, onOutput) => containers.start(id, onOutput),
      wait: (id) => containers.wait(id),
      inspect: (id) => containers.inspect(id),
      kill: (id) => containers.kill(id),
      remove: (id) => containers.remove(id),
      list: (filter) => containers.list(filter),
    },
  };
  return { engine: wrapped, names };
}

describe.skipIf(!engine)("cancel while an object is being created", () => {
  const runIds: string[] = [];

  beforeAll(async () => {
    await ensureTestImages();
  });

  afterEach(async () => {
    for (const runId of runIds.splice(0)) {
      expect(await leftoversOfRun(engine!, runId)).toEqual([]);
    }
  });

  it.each<CreateKind>(["network", "volume", "container"])(
    "removes a %s created after cleanup began",
    async (kind) => {
      const controller = new AbortController();
      let cleanup: Promise<void> | undefined;
      // As SIGINT does in `pogo ci test`: the run is cancelled and the pending cleanups run.
      const cancel = () => {
        controller.abort();
        cleanup = runPendingCleanups();
        return cleanup;
      };
      const wrapped = cancelDuringCreate(engine!, kind, cancel);
      const executor = new ContainerExecutor({
        engine: wrapped.engine,
        sweepOnStart: false,
        hashCacheDir: null,
      });
      const context = taskContext({ workspaceDir: process.cwd(), signal: controller.signal });
      runIds.push(context.runId);

      const result = await executor.run(
        {
          image: BUSYBOX_IMAGE,
          services: [{ name: "web", image: HTTPD_IMAGE }],
          commands: ["true"],
        },
        context,
      );
      await cleanup;

      expect(result.status).toBe("cancelled");
      expect(wrapped.names.length).toBeGreaterThan(0);
      const prefix = wrapped.names[0]!;
      const runDirs = await readdir(workspaceRunRoot()).catch(() => []);
      expect(runDirs.filter((name) => name.startsWith(prefix))).toEqual([]);
    },
  );
});

describe.skipIf(!engine)("cancel before the task starts", () => {
  it("stops a task cancelled during engine detection", async () => {
    const controller = new AbortController();
    const executor = new ContainerExecutor({
      engine: async () => {
        controller.abort();
        return engine!;
      },
      sweepOnStart: false,
      hashCacheDir: null,
    });
    const context = taskContext({ signal: controller.signal });

    const result = await executor.run({ image: BUSYBOX_IMAGE, commands: ["true"] }, context);

    expect(result.status).toBe("cancelled");
    expect(await leftoversOfRun(engine!, context.runId)).toEqual([]);
  });
});
