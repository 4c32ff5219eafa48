import { statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import {
  type Diagnostic,
  findRepositoryRoot,
  formatDiagnostic,
  type LoadedConfig,
  loadRepositoryConfigs,
  readConfigFile,
} from "../../config/index.js";
import { UsageError } from "../../util/errors.js";

/** Adds `pogo ci validate [FILE...]`. */
export function registerValidateCommand(parent: Command): void {
  parent
    .command("validate [files...]")
    .description(
      "check CI configs and print every error as file:line:col: message; without FILE, checks .pogo/ci/*.{yaml,yml} of the current repository",
    )
    .action((files: string[]) => {
      process.exitCode = validateCommand(files, process.cwd());
    });
}

/**
 * Validates configs, prints findings to stderr and returns the exit status:
 * 0 valid, 1 invalid, 2 when a FILE argument does not name a file. The files
 * that exist are checked in every case.
 */
export function validateCommand(files: string[], cwd: string): number {
  const { loaded, missing } = files.length > 0 ? loadFiles(files, cwd) : loadRepository(cwd);
  let failed = false;
  const stderr: string[] = [];
  const stdout: string[] = [];
  for (const config of loaded) {
    for (const diagnostic of [...config.diagnostics, ...config.warnings].sort(byPosition)) {
      stderr.push(paint(formatDiagnostic(diagnostic), diagnostic));
    }
    if (config.diagnostics.length > 0) failed = true;
    else stdout.push(`${config.file}: valid`);
  }
  if (loaded.length === 0 && missing.length === 0)
    stderr.push("pogo: no config files in .pogo/ci; nothing to validate");
  stderr.push(...missing.map((problem) => `pogo: ${problem}`));
  if (stdout.length > 0) process.stdout.write(`${stdout.join("\n")}\n`);
  if (stderr.length > 0) process.stderr.write(`${stderr.join("\n")}\n`);
  if (missing.length > 0) return 2;
  return failed ? 1 : 0;
}

/** Configs that were checked, and one message for each FILE argument that is not a file. */
interface Loaded {
  loaded: LoadedConfig[];
  missing: string[];
}

function loadFiles(files: string[], cwd: string): Loaded {
  const loaded: LoadedConfig[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    let isFile: boolean;
    try {
      isFile = statSync(absolute).isFile();
    } catch {
      missing.push(`file not found: ${file}`);
      continue;
    }
    if (!isFile) {
      missing.push(`not a file: ${file}; pass config files, or no argument to check .pogo/ci`);
      continue;
    }
    loaded.push(readConfigFile(file, absolute));
  }
  return { loaded, missing };
}

function loadRepository(cwd: string): Loaded {
  const root = findRepositoryRoot(cwd);
  if (root === undefined) {
    throw new UsageError(
      `no repository found: neither ${cwd} nor a parent folder contains .pogo; run in a repository or pass config files`,
    );
  }
  // Names relative to the working directory, so the printed paths open from the shell.
  const loaded = loadRepositoryConfigs(root).map((config) => {
    const displayName = path.relative(cwd, path.join(root, config.file)) || config.file;
    const rename = (diagnostic: Diagnostic) => ({ ...diagnostic, file: displayName });
    return {
      ...config,
      file: displayName,
      diagnostics: config.diagnostics.map(rename),
      warnings: config.warnings.map(rename),
    };
  });
  return { loaded, missing: [] };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column;
}

function paint(line: string, diagnostic: Diagnostic): string {
  if (!process.stderr.isTTY || process.env.NO_COLOR !== undefined) return line;
  const colour = diagnostic.severity === "warning" ? "\u001b[33m" : "\u001b[31m";
  const split = line.indexOf(": ");
  return `\u001b[1m${line.slice(0, split + 1)}\u001b[0m${colour}${line.slice(split + 1)}\u001b[0m`;
}
