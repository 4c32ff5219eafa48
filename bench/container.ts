/**
 * Container task overhead against doing the same by hand with the docker
 * CLI, measured in one run on the same engine:
 *
 * - a one-command task (`true`, with a small workspace) against
 *   `docker run --rm IMAGE true`;
 * - a task with one HTTP service that the command fetches from by name,
 *   against `docker network create`, `docker run -d` of the service,
 *   `docker run --rm` of a client that fetches from it, then removal of
 *   both;
 * - workspace preparation for a 20,000-file tree: a task that runs `true`
 *   on that tree (overlay volume, and tar upload through the API) against
 *   `docker create`, `tar | docker cp`, `docker start -a`, `docker rm`.
 *
 * - Dockerfile image lookup of a 5,000-file build context whose files are
 *   unchanged: a warm file hash cache against hashing every file.
 *
 * Rounds alternate between the two sides, and each figure is the median
 * of the rounds. Images come from test/support/images.ts (local busybox).
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { templateData } from "../src/config/event.js";
import type { ContainerSpec } from "../src/config/types.js";
import { getEngine, locateDockerfile, scanBuildContext } from "../src/engine/index.js";
import { ContainerExecutor } from "../src/tasks/container.js";
import type { LogSink } from "../src/tasks/task.js";
import { BUSYBOX_IMAGE, ensureTestImages, HTTPD_IMAGE } from "../test/support/images.js";

const execFileAsync = promisify(execFile);

function docker(args: string[]): Promise<{ stdout: string }> {
  return execFileAsync("docker", args);
}

const ROUNDS = 7;
/** Fewer rounds for the large tree, whose copy by hand takes seconds. */
const TREE_ROUNDS = 3;
const TREE_FILES = 20_000;

const CONTEXT_FILES = 5_000;

const quietLog: LogSink = { write: () => {}, info: () => {} };

export async function run(): Promise<void> {
  await ensureTestImages();
  const engine = await getEngine();
  process.stdout.write(`engine: ${engine.describe()}\n`);

  const scratch = await mkdtemp(join(tmpdir(), "pogo-bench-container-"));
  try {
    const small = join(scratch, "small");
    await mkdir(small);
    await writeFile(join(small, "README.md"), "bench\n");
    const large = join(scratch, "large");
    await makeTree(large, TREE_FILES);

    await compareContextLookup(join(scratch, "context"));

    const overlay = new ContainerExecutor({ engine, sweepOnStart: false });
    const upload = new ContainerExecutor({ engine, sweepOnStart: false, workspace: "upload" });

    // Warm up both paths, so image and page caches are hot before measuring.
    await runTask(overlay, { image: BUSYBOX_IMAGE, commands: ["true"] }, small);
    await docker(["run", "--rm", BUSYBOX_IMAGE, "true"]);

    await compare(
      "one-command task vs docker run --rm IMAGE true",
      () => runTask(overlay, { image: BUSYBOX_IMAGE, commands: ["true"] }, small),
      () => docker(["run", "--rm", BUSYBOX_IMAGE, "true"]),
      1.3,
    );

    await compare(
      "one-service task vs starting both containers by hand",
      () =>
        runTask(
          overlay,
          {
            image: BUSYBOX_IMAGE,
            services: [{ name: "web", image: HTTPD_IMAGE }],
            commands: ["wget -q -O /dev/null http://web/"],
          },
          small,
        ),
      serviceByHand,
      1.5,
    );

    await compare(
      `workspace of ${TREE_FILES} files, overlay task vs tar | docker cp`,
      () => runTask(overlay, { image: BUSYBOX_IMAGE, commands: ["true"] }, large),
      () => copyByHand(large),
      undefined,
      TREE_ROUNDS,
    );
    await compare(
      `workspace of ${TREE_FILES} files, upload task vs tar | docker cp`,
      () => runTask(upload, { image: BUSYBOX_IMAGE, commands: ["true"] }, large),
      () => copyByHand(large),
      undefined,
      TREE_ROUNDS,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runTask(
  executor: ContainerExecutor,
  spec: ContainerSpec,
  workspaceDir: string,
): Promise<void> {
  const result = await executor.run(spec, {
    runId: `bench-${randomBytes(4).toString("hex")}`,
    pipeline: "bench.yaml",
    taskIndex: 0,
    log: quietLog,
    signal: new AbortController().signal,
    timeoutMs: 120_000,
    workspaceDir,
    data: templateData({ Rev: "main" }),
  });
  if (result.status !== "success") throw new Error(`bench task failed: ${result.reason}`);
}

/** Starts a service and a client on a fresh network with the CLI, as a person would, then removes them. */
async function serviceByHand(): Promise<void> {
  const name = `pogo-bench-${randomBytes(4).toString("hex")}`;
  await docker(["network", "create", name]);
  try {
    await docker([
      "run",
      "-d",
      "--name",
      `${name}-web`,
      "--network",
      name,
      "--network-alias",
      "web",
      HTTPD_IMAGE,
    ]);
    // The loop replaces the readiness wait a person would need as well.
    await docker([
      "run",
      "--rm",
      "--network",
      name,
      BUSYBOX_IMAGE,
      "sh",
      "-c",
      "until wget -q -O /dev/null http://web/; do sleep 0.05; done",
    ]);
  } finally {
    await docker(["rm", "-f", `${name}-web`]);
    await docker(["network", "rm", name]);
  }
}

/** Copies a tree into a created container with `tar | docker cp`, runs it, and removes it. */
async function copyByHand(tree: string): Promise<void> {
  const { stdout } = await docker(["create", "-w", "/workspace", BUSYBOX_IMAGE, "true"]);
  const id = stdout.trim();
  try {
    await new Promise<void>((resolve, reject) => {
      const tar = spawn("tar", ["-c", "-C", tree, "."], { stdio: ["ignore", "pipe", "inherit"] });
      const copy = spawn("docker", ["cp", "-", `${id}:/workspace`], {
        stdio: ["pipe", "ignore", "inherit"],
      });
      tar.stdout.pipe(copy.stdin);
      copy.once("error", reject);
      copy.once("close", (code) =>
        code === 0 ? resolve() : reject(new Error(`docker cp exited with ${code}`)),
      );
    });
    await docker(["start", "-a", id]);
  } finally {
    await docker(["rm", "-f", id]);
  }
}

/** Times the `pogo-build:<hash>` lookup of an unchanged context, with and without the hash cache. */
export async function compareContextLookup(root: string): Promise<void> {
  await makeTree(root, CONTEXT_FILES);
  await writeFile(join(root, "Dockerfile"), "FROM scratch\n");
  // Files older than the cache's racy window, as in a checkout that was not just written.
  const past = new Date(Date.now() - 3_600_000);
  for (const dir of await readdir(root)) {
    if (dir === "Dockerfile") continue;
    for (const file of await readdir(join(root, dir))) {
      await utimes(join(root, dir, file), past, past);
    }
  }
  const cacheDir = join(root, "..", "hash-cache");
  const location = await locateDockerfile("./Dockerfile", root);
  await scanBuildContext(location, { cacheDir });
  await compare(
    `Dockerfile lookup of ${CONTEXT_FILES} unchanged files, hash cache vs reading every file`,
    () => scanBuildContext(location, { cacheDir }),
    () => scanBuildContext(location, { cacheDir: null }),
  );
}

/** Writes `count` small files spread over directories of 100 files. */
async function makeTree(root: string, count: number): Promise<void> {
  for (let dir = 0; dir * 100 < count; dir++) {
    const path = join(root, `dir${dir}`);
    await mkdir(path, { recursive: true });
    const files = Math.min(100, count - dir * 100);
    await Promise.all(
      Array.from({ length: files }, (_, index) =>
        writeFile(join(path, `file${index}.txt`), `content of file ${dir}/${index}\n`),
      ),
    );
  }
}

async function compare(
  label: string,
  ours: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  goal?: number,
  rounds = ROUNDS,
): Promise<void> {
  const oursMs: number[] = [];
  const baselineMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    baselineMs.push(await time(baseline));
    oursMs.push(await time(ours));
  }
  const ratio = median(oursMs) / median(baselineMs);
  const verdict =
    goal === undefined
      ? ""
      : ratio <= goal
        ? ` (goal ≤ ${goal}×: met)`
        : ` (goal ≤ ${goal}×: missed)`;
  process.stdout.write(
    `${label}: ${median(oursMs).toFixed(0)} ms vs ${median(baselineMs).toFixed(0)} ms, ratio ${ratio.toFixed(2)}×${verdict}\n`,
  );
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
