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

function timeMs(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
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

    const baselineMs: number[] = [];
    const validationMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baselineMs.push(timeMs(baseline));
      validationMs.push(timeMs(validation));
    }
    const perHundred = (ms: number) => (ms / FILES) * 100;
    const base = perHundred(median(baselineMs));
    const ours = perHundred(median(validationMs));
    process.stdout.write(
      [
        `files: ${FILES} (${errors} with errors), median of ${ROUNDS} rounds`,
        `bare yaml parse:  ${base.toFixed(2)} ms per 100 files`,
        `loadRepositoryConfigs: ${ours.toFixed(2)} ms per 100 files`,
        `ratio: ${(ours / base).toFixed(2)}x the bare parse`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
