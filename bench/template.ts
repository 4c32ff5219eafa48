/**
 * Template render throughput: parse + execute of every stored conformance
 * case, in this engine and in Go's own text/template through the reference
 * runner's `-repeat N` mode, measured in the same run.
 *
 * The Go figure subtracts a `-repeat 1` run of the same cases, which removes
 * process start and JSON handling and leaves the N-1 extra renders per case.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { caseData, caseEnv, runCase, type TemplateCase } from "../src/template/cases.js";

const ORACLE = fileURLToPath(
  new URL("../../../shared/tools/gotemplate-oracle/run", import.meta.url),
);
const ORACLE_FALLBACK = "/work/shared/tools/gotemplate-oracle/run";
const REPEAT = 200;

function loadCases(): TemplateCase[] {
  const text = readFileSync(
    new URL("../src/template/testdata/cases.jsonl", import.meta.url),
    "utf8",
  );
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const { expected: _expected, ...c } = JSON.parse(line) as TemplateCase & {
        expected: unknown;
      };
      return c;
    })
    .filter((c) => !c.template.includes('template "loop"')); // 100,000-deep recursion dominates both
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

/** Prints renders per second for both engines and their ratio. */
export async function run(): Promise<void> {
  const cases = loadCases();
  const renders = cases.length * REPEAT;
  const oursMs = timeOursMs(cases, REPEAT);
  const oursRate = renders / (oursMs / 1000);
  process.stdout.write(
    `pogo template: ${renders} renders (${cases.length} cases × ${REPEAT}) in ${oursMs.toFixed(0)} ms, ${oursRate.toFixed(0)} renders/s\n`,
  );

  const oracle = [ORACLE, ORACLE_FALLBACK].find((path) => existsSync(path));
  const hasGo = spawnSync("go", ["version"]).status === 0;
  if (oracle === undefined || !hasGo) {
    process.stdout.write(
      "go text/template: skipped, Go or the reference runner is not installed\n",
    );
    return;
  }
  const input = `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`;
  timeGoMs(oracle, input, 1); // builds the runner once
  const baseMs = timeGoMs(oracle, input, 1);
  const fullMs = timeGoMs(oracle, input, REPEAT);
  const goRenders = cases.length * (REPEAT - 1);
  const goRate = goRenders / ((fullMs - baseMs) / 1000);
  process.stdout.write(
    `go text/template: ${goRenders} renders in ${(fullMs - baseMs).toFixed(0)} ms, ${goRate.toFixed(0)} renders/s\n`,
  );
  process.stdout.write(
    `ratio pogo/go: ${(oursRate / goRate).toFixed(2)}x (above 1 means faster than Go)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
