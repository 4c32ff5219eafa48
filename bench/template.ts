/**
 * Template render throughput: parse + execute of every stored conformance
 * case, in this engine and in Go's own text/template through the reference
 * runner's `-repeat N` mode, measured in the same run.
 *
 * The Go figure subtracts a `-repeat 1` run of the same cases from a
 * `-repeat N+1` run, which removes process start and JSON handling and
 * leaves N renders per case. Cases that hit Go's 100,000-deep template
 * recursion limit are left out: that one render dominates either engine.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { caseData, caseEnv, runCase, type TemplateCase } from "../src/template/cases.js";

const ORACLE = fileURLToPath(
  new URL("../../../shared/tools/gotemplate-oracle/run", import.meta.url),
);
const ORACLE_FALLBACK = "/work/shared/tools/gotemplate-oracle/run";
const REPEAT = 60;
const ROUNDS = 5;

function loadCases(): TemplateCase[] {
  const text = readFileSync(
    new URL("../src/template/testdata/cases.jsonl", import.meta.url),
    "utf8",
  );
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as TemplateCase & { expected: { error?: string } })
    .filter((c) => !c.expected.error?.includes("exceeded maximum template depth")) // runaway recursion dominates both
    .map(({ expected: _expected, ...c }) => c);
}

/** Wall-clock and CPU time of one measurement, in milliseconds. */
interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timeOurs(cases: TemplateCase[], repeat: number): Timing {
  const prepared = cases.map((c) => ({ c, data: caseData(c.event), env: caseEnv(c) }));
  for (const p of prepared) runCase(p.c, p.data, p.env); // warm up
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let r = 0; r < repeat; r++) {
    for (const p of prepared) runCase(p.c, p.data, p.env);
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    wallMs: Number(process.hrtime.bigint() - start) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Runs the reference runner under bash's `time -p`, which reports its CPU time too. */
function timeGo(oracle: string, input: string, repeat: number): Timing {
  const start = process.hrtime.bigint();
  const result = spawnSync(
    "bash",
    ["-c", 'time -p "$0" -repeat "$1" >/dev/null', oracle, String(repeat)],
    {
      input,
      maxBuffer: 1 << 28,
      encoding: "utf8",
    },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`the reference runner failed: ${result.stderr}`);
  const seconds = (label: string) =>
    Number(new RegExp(`^${label} ([0-9.]+)$`, "m").exec(result.stderr)?.[1] ?? 0);
  return { wallMs, cpuMs: (seconds("user") + seconds("sys")) * 1000 };
}

/**
 * Prints renders per second for both engines and their ratio, by wall clock
 * and by CPU time. The engines alternate for ROUNDS rounds and each keeps its
 * best round, because other work on the machine slows whichever engine
 * happens to run beside it. Go's CPU time includes its lexer goroutine and
 * garbage collector running on other cores; this engine uses one.
 */
export async function run(): Promise<void> {
  const cases = loadCases();
  const renders = cases.length * REPEAT;
  const oracle = [ORACLE, ORACLE_FALLBACK].find((path) => existsSync(path));
  const hasGo = oracle !== undefined && spawnSync("go", ["version"]).status === 0;
  const input = `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`;
  if (hasGo) timeGo(oracle, input, 1); // builds the runner once

  const ours: Timing = { wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY };
  const go: Timing = { wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY };
  for (let round = 0; round < ROUNDS; round++) {
    const one = timeOurs(cases, REPEAT);
    ours.wallMs = Math.min(ours.wallMs, one.wallMs);
    ours.cpuMs = Math.min(ours.cpuMs, one.cpuMs);
    if (hasGo) {
      const base = timeGo(oracle, input, 1);
      const full = timeGo(oracle, input, REPEAT + 1);
      go.wallMs = Math.min(go.wallMs, full.wallMs - base.wallMs);
      go.cpuMs = Math.min(go.cpuMs, full.cpuMs - base.cpuMs);
    }
  }

  const rate = (ms: number) => (renders / (ms / 1000)).toFixed(0);
  process.stdout.write(
    `pogo template: ${renders} renders (${cases.length} cases × ${REPEAT}): ${ours.wallMs.toFixed(0)} ms wall (${rate(ours.wallMs)} renders/s), ${ours.cpuMs.toFixed(0)} ms CPU\n`,
  );
  if (!hasGo) {
    process.stdout.write(
      "go text/template: skipped, Go or the reference runner is not installed\n",
    );
    return;
  }
  process.stdout.write(
    `go text/template: ${renders} renders: ${go.wallMs.toFixed(0)} ms wall (${rate(go.wallMs)} renders/s), ${go.cpuMs.toFixed(0)} ms CPU\n`,
  );
  process.stdout.write(
    `ratio pogo/go: ${(go.wallMs / ours.wallMs).toFixed(2)}x by wall clock, ${(go.cpuMs / ours.cpuMs).toFixed(2)}x by CPU time (above 1 means faster than Go; best of ${ROUNDS} rounds each)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
