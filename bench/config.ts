/**
 * Config validation speed: `loadRepositoryConfigs` over 1,000 files in a
 * temporary repository (discovery, reading, YAML parsing with positions,
 * schema walk, template syntax check) against a baseline that reads the
 * same files and only parses them with the `yaml` package.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { discoverConfigFiles, loadRepositoryConfigs } from "../src/config/index.js";
import { invalidCases } from "../test/config/invalid-cases.js";

const FILES = 1000;
const ROUNDS = 7;
/** One file in five has a defect, so error paths are part of the measurement. */
const INVALID_EVERY = 5;

function validTexts(): string[] {
  const texts: string[] = [];
  for (const folder of ["seed", "valid"]) {
    const dir = new URL(`../test/fixtures/config/${folder}/`, import.meta.url);
    for (const name of readdirSync(dir).sort())
      texts.push(readFileSync(new URL(name, dir), "utf8"));
  }
  return texts;
}

function writeRepository(root: string): void {
  const valid = validTexts();
  const dir = path.join(root, ".pogo", "ci");
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const text =
      i % INVALID_EVERY === 0
        ? invalidCases[(i / INVALID_EVERY) % invalidCases.length]!.text
        : valid[i % valid.length]!;
    writeFileSync(
      path.join(dir, `pipeline-${String(i).padStart(4, "0")}.yaml`),
      `# file ${i}\n${text}`,
    );
  }
}

/** Wall-clock and CPU milliseconds of one call; CPU time is steadier on a busy machine. */
function timeMs(action: () => void): { wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  action();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Prints milliseconds per hundred files for validation and for the bare parse, and their ratio. */
export async function run(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), "pogo-bench-config-"));
  try {
    writeRepository(root);
    const baseline = () => {
      for (const file of discoverConfigFiles(root)) {
        parseDocument(readFileSync(file, "utf8"), { lineCounter: new LineCounter() });
      }
    };
    let errors = 0;
    const validation = () => {
      errors = loadRepositoryConfigs(root).filter((config) => config.diagnostics.length > 0).length;
    };
    baseline();
    validation();

    const baselineTimes: Array<{ wall: number; cpu: number }> = [];
    const validationTimes: Array<{ wall: number; cpu: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      baselineTimes.push(timeMs(baseline));
      validationTimes.push(timeMs(validation));
    }
    const perHundred = (times: Array<{ wall: number; cpu: number }>, key: "wall" | "cpu") =>
      (median(times.map((time) => time[key])) / FILES) * 100;
    const line = (name: string, times: Array<{ wall: number; cpu: number }>) =>
      `${name}: ${perHundred(times, "wall").toFixed(1)} ms wall, ${perHundred(times, "cpu").toFixed(1)} ms CPU per 100 files`;
    const ratio = (key: "wall" | "cpu") =>
      (perHundred(validationTimes, key) / perHundred(baselineTimes, key)).toFixed(2);
    process.stdout.write(
      [
        `files: ${FILES} (${errors} with errors), median of ${ROUNDS} rounds`,
        line("bare yaml parse", baselineTimes),
        line("loadRepositoryConfigs", validationTimes),
        `ratio to the bare parse: ${ratio("wall")} wall, ${ratio("cpu")} CPU`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
