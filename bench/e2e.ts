/**
 * End-to-end latency on a real package: the time from starting
 * `pogo ci test` to the first line of the package's own test output, against
 * `docker run` of the same command by hand, in the same run. The hand run
 * uses the base image the Dockerfile builds on, with the tree bind-mounted
 * read-only, which is what a person would type.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildNodeImage } from "../test/e2e/node-image.js";
import { spawnPogo } from "../test/e2e/pogo.js";
import {
  fetchPackage,
  PACKAGE_SPEC,
  PROBE_COMMAND,
  TEST_COMMAND,
  writeTestPipeline,
} from "../test/e2e/real-package.js";

/** tape prints this line before any test runs. */
const FIRST_TEST_LINE = /^.*TAP version \d+/m;
/** Lines of the pogo log that split its time into phases: start-up, image, container start. */
const POGO_MILESTONES: Record<string, RegExp> = {
  "pipeline started": /pipeline started/,
  "image ready": /using cached image|Successfully built/,
  "first command": /\] \$ /,
};
const ROUNDS = 5;

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Runs both measurements on one fetched package and prints medians and their ratio. */
export async function run(): Promise<void> {
  // Time the compiled CLI a user runs (bin/pogo), not the sources through tsx.
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const image = buildNodeImage();
  const workDir = mkdtempSync(join(tmpdir(), "pogo-bench-e2e-"));
  try {
    const packageDir = fetchPackage(workDir);
    // As a user would have it: no .dockerignore, so the whole tree is the build context.
    writeTestPipeline(packageDir, { dockerignore: false });
    const script = `${PROBE_COMMAND} && ${TEST_COMMAND}`;

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

    // One round each first, so the Dockerfile build cache and the page cache are warm for both.
    await timeUntilLine(byPogo, FIRST_TEST_LINE);
    await timeUntilLine(byHand, FIRST_TEST_LINE);

    const pogo: Timing[] = [];
    const hand: Timing[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      pogo.push(await timeUntilLine(byPogo, FIRST_TEST_LINE, POGO_MILESTONES));
      hand.push(await timeUntilLine(byHand, FIRST_TEST_LINE));
    }
    for (const timing of [...pogo, ...hand]) {
      if (timing.code !== 0) throw new Error(`a measured run exited with ${timing.code}`);
    }

    const pogoFirst = median(pogo.map((timing) => timing.firstLineMs));
    const handFirst = median(hand.map((timing) => timing.firstLineMs));
    const pogoTotal = median(pogo.map((timing) => timing.totalMs));
    const handTotal = median(hand.map((timing) => timing.totalMs));
    const lines = [
      `${PACKAGE_SPEC}, median of ${ROUNDS} rounds after one warm-up round each`,
      `pogo ci test, start to first test line: ${seconds(pogoFirst)} (whole run ${seconds(pogoTotal)})`,
      ...Object.keys(POGO_MILESTONES).map(
        (name) =>
          `  of which start to ${name}: ${seconds(median(pogo.map((timing) => timing.milestones[name] ?? Number.NaN)))}`,
      ),
      `docker run by hand, start to first test line: ${seconds(handFirst)} (whole run ${seconds(handTotal)})`,
      `ratio pogo / docker run, first test line: ${(pogoFirst / handFirst).toFixed(2)}x`,
      `ratio pogo / docker run, whole run: ${(pogoTotal / handTotal).toFixed(2)}x`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
