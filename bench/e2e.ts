/**
 * End-to-end latency on a real package: the time to the first line of the
 * package's own test output. It is measured from the start of `pogo ci
 * test`, and from the start of `pogo bookmark set` against a local `pogo
 * serve`. The baseline, in the same run, is `docker run` of the same command
 * by hand: the base image the Dockerfile builds on, with the tree
 * bind-mounted read-only, which is what a person would type.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PogoClient } from "../src/client/api.js";
import { buildNodeImage } from "../test/e2e/node-image.js";
import { runPogo, spawnPogo, startPogoServer } from "../test/e2e/pogo.js";
import {
  copyTree,
  fetchPackage,
  includeNodeModules,
  PACKAGE_SPEC,
  PROBE_COMMAND,
  TEST_COMMAND,
  writeTestPipeline,
} from "../test/e2e/real-package.js";

/** tape prints this line before any test runs. */
const FIRST_TEST_LINE = /TAP version \d+/;
/** Lines of the pogo log that split its time into phases: start-up, image, container start. */
const POGO_MILESTONES: Record<string, RegExp> = {
  "pipeline started": /pipeline started/,
  "image ready": /using cached image|Successfully built/,
  "first command": /\] \$ /,
};
const ROUNDS = 5;
const REPOSITORY = "bench";

interface Timing {
  firstLineMs: number;
  totalMs: number;
  code: number | null;
  milestones: Record<string, number>;
}

/**
 * Times a child process until its output shows `pattern` and until it
 * exits, noting when each of `milestones` first shows as well.
 */
function timeUntilLine(
  start: () => ReturnType<typeof spawn>,
  pattern: RegExp,
  milestones: Record<string, RegExp> = {},
): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = start();
    let output = "";
    let firstLineMs = Number.NaN;
    const reached: Record<string, number> = {};
    const onData = (chunk: Buffer | string) => {
      output += chunk.toString();
      const now = performance.now() - began;
      for (const [name, milestone] of Object.entries(milestones)) {
        if (reached[name] === undefined && milestone.test(output)) reached[name] = now;
      }
      if (Number.isNaN(firstLineMs) && pattern.test(output)) firstLineMs = now;
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      const totalMs = performance.now() - began;
      if (Number.isNaN(firstLineMs)) {
        reject(new Error(`no line matching ${pattern} in output:\n${output.slice(-2000)}`));
        return;
      }
      resolve({ firstLineMs, totalMs, code, milestones: reached });
    });
  });
}

/**
 * Times one server round: `pogo bookmark set NAME` as a user types it, then
 * the run's event stream until it carries the first test line and until the
 * run ends. The stream replays the log from the start, so opening it late
 * does not delay the line it reports.
 */
async function timeServerRound(
  client: PogoClient,
  packageDir: string,
  env: NodeJS.ProcessEnv,
  bookmark: string,
): Promise<Timing> {
  const began = performance.now();
  const set = await runPogo(["bookmark", "set", bookmark], {
    cwd: packageDir,
    env,
    compiled: true,
  });
  if (set.code !== 0) throw new Error(`pogo bookmark set ${bookmark} failed: ${set.stderr}`);
  const setMs = performance.now() - began;

  const { runs } = await client.listRuns(REPOSITORY, { bookmark, limit: 1 });
  const runId = runs[0]?.id;
  if (!runId) throw new Error(`bookmark ${bookmark} queued no run`);
  // The server ends the stream when the run ends; the limit only stops a hung run.
  const response = await client.runEvents(REPOSITORY, runId, AbortSignal.timeout(300_000));
  let firstLineMs = Number.NaN;
  let seen = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    // Test the new text with the end of the old, so a line split across chunks still matches.
    const window = seen + decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstLineMs) && FIRST_TEST_LINE.test(window)) {
      firstLineMs = performance.now() - began;
    }
    seen = window.slice(-4096);
  }
  const totalMs = performance.now() - began;
  const run = await client.getRun(REPOSITORY, runId);
  if (Number.isNaN(firstLineMs)) {
    throw new Error(
      `run ${runId} (${run.status}) printed no test line, and its stream ended with:\n${seen}`,
    );
  }
  return {
    firstLineMs,
    totalMs,
    code: run.status === "success" ? 0 : 1,
    milestones: { "bookmark set returned": setMs },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function summary(label: string, timings: Timing[], baseline: Timing[]): string[] {
  const first = median(timings.map((timing) => timing.firstLineMs));
  const total = median(timings.map((timing) => timing.totalMs));
  const baseFirst = median(baseline.map((timing) => timing.firstLineMs));
  const baseTotal = median(baseline.map((timing) => timing.totalMs));
  const milestones = Object.keys(timings[0]?.milestones ?? {}).map(
    (name) =>
      `  of which to ${name}: ${seconds(median(timings.map((timing) => timing.milestones[name] ?? Number.NaN)))}`,
  );
  return [
    `${label}, to first test line: ${seconds(first)} (whole run ${seconds(total)})`,
    ...milestones,
    `  ratio to docker run: first test line ${(first / baseFirst).toFixed(2)}x, whole run ${(total / baseTotal).toFixed(2)}x`,
  ];
}

/** Runs the three measurements on one fetched package and prints medians and their ratios. */
export async function run(): Promise<void> {
  // Time the compiled CLI a user runs (bin/pogo), not the sources through tsx.
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const image = buildNodeImage();
  const workDir = mkdtempSync(join(tmpdir(), "pogo-bench-e2e-"));
  const dataDir = join(workDir, "server");
  mkdirSync(dataDir);
  const server = await startPogoServer(dataDir, { compiled: true });
  try {
    const packageDir = fetchPackage(workDir);
    // As a user would have it: no .dockerignore, so the whole tree is the build context.
    writeTestPipeline(packageDir, { dockerignore: false, bookmarks: ["main", "bench-*"] });
    const script = `${PROBE_COMMAND} && ${TEST_COMMAND}`;

    const pushedDir = join(workDir, "pushed");
    copyTree(packageDir, pushedDir);
    includeNodeModules(pushedDir);
    const env = {
      POGO_CONFIG: join(workDir, "client-config.json"),
      POGO_SERVER: server.url,
      POGO_TOKEN: server.adminToken,
    };
    for (const args of [
      ["init", "--create", REPOSITORY],
      ["push", "-m", PACKAGE_SPEC],
    ]) {
      const result = await runPogo(args, { cwd: pushedDir, env, compiled: true });
      if (result.code !== 0) throw new Error(`pogo ${args[0]} failed: ${result.stderr}`);
    }
    const client = new PogoClient(server.url, server.adminToken);

    const byPogo = () =>
      spawnPogo(["ci", "test", "--event-type", "push", "--rev", "main"], {
        cwd: packageDir,
        compiled: true,
      });
    const byHand = () =>
      spawn(
        "docker",
        [
          "run",
          "--rm",
          "--env",
          "CI=true",
          "--volume",
          `${packageDir}:/workspace:ro`,
          "--workdir",
          "/workspace",
          image,
          "sh",
          "-c",
          script,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );

    // One round each first, so the Dockerfile build caches and the page cache are warm for all.
    await timeUntilLine(byPogo, FIRST_TEST_LINE);
    await timeUntilLine(byHand, FIRST_TEST_LINE);
    await timeServerRound(client, pushedDir, env, "bench-warm-up");

    const local: Timing[] = [];
    const served: Timing[] = [];
    const hand: Timing[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      local.push(await timeUntilLine(byPogo, FIRST_TEST_LINE, POGO_MILESTONES));
      served.push(await timeServerRound(client, pushedDir, env, `bench-${round}`));
      hand.push(await timeUntilLine(byHand, FIRST_TEST_LINE));
    }
    for (const timing of [...local, ...served, ...hand]) {
      if (timing.code !== 0) throw new Error(`a measured run exited with ${timing.code}`);
    }

    const handFirst = median(hand.map((timing) => timing.firstLineMs));
    const handTotal = median(hand.map((timing) => timing.totalMs));
    const lines = [
      `${PACKAGE_SPEC}, median of ${ROUNDS} rounds after one warm-up round each`,
      `docker run by hand, to first test line: ${seconds(handFirst)} (whole run ${seconds(handTotal)})`,
      ...summary("pogo ci test", local, hand),
      ...summary("pogo bookmark set on a local server", served, hand),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
