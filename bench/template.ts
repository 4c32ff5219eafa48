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

function timeOursMs(cases: TemplateCase[], repeat: number): number {
  const prepared = cases.map((c) => ({ c, data: caseData(c.event), env: caseEnv(c) }));
  for (const p of prepared) runCase(p.c, p.data, p.env); // warm up
  const start = process.hrtime.bigint();
  for (let r = 0; r < repeat; r++) {
    for (const p of prepared) runCase(p.c, p.data, p.env);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function timeGoMs(oracle: string, input: string, repeat: number): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(oracle, ["-repeat", String(repeat)], { input, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`the reference runner failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Prints renders per second for both engines and their ratio. The engines
 * alternate for ROUNDS rounds and each keeps its best round, because other
 * work on the machine slows whichever engine happens to run beside it.
 */
export async function run(): Promise<void> {
  const cases = loadCases();
  const renders = cases.length * REPEAT;
  const oracle = [ORACLE, ORACLE_FALLBACK].find((path) => existsSync(path));
  const hasGo = oracle !== undefined && spawnSync("go", ["version"]).status === 0;
  const input = `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`;
  if (hasGo) timeGoMs(oracle, input, 1); // builds the runner once

  let oursMs = Number.POSITIVE_INFINITY;
  let goMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    oursMs = Math.min(oursMs, timeOursMs(cases, REPEAT));
    if (hasGo) {
      const baseMs = timeGoMs(oracle, input, 1);
      goMs = Math.min(goMs, timeGoMs(oracle, input, REPEAT + 1) - baseMs);
    }
  }

  const oursRate = renders / (oursMs / 1000);
  process.stdout.write(
    `pogo template: ${renders} renders (${cases.length} cases × ${REPEAT}) in ${oursMs.toFixed(0)} ms, ${oursRate.toFixed(0)} renders/s\n`,
  );
  if (!hasGo) {
    process.stdout.write(
      "go text/template: skipped, Go or the reference runner is not installed\n",
    );
    return;
  }
  const goRate = renders / (goMs / 1000);
  process.stdout.write(
    `go text/template: ${renders} renders in ${goMs.toFixed(0)} ms, ${goRate.toFixed(0)} renders/s\n`,
  );
  process.stdout.write(
    `ratio pogo/go: ${(oursRate / goRate).toFixed(2)}x (above 1 means faster than Go; best of ${ROUNDS} rounds each)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
