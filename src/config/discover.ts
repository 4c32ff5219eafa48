import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Folder, relative to the repository root, whose top-level YAML files are the pipelines. */
export const CONFIG_DIR = path.join(".pogo", "ci");

const CONFIG_EXTENSION = /\.ya?ml$/;

/**
 * Finds the repository root: the nearest folder, from `start` upward, that
 * contains a `.pogo` folder. Returns undefined when no folder up to the
 * file-system root has one.
 */
export function findRepositoryRoot(start: string): string | undefined {
  let current = path.resolve(start);
  for (;;) {
    if (isDirectory(path.join(current, ".pogo"))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Lists the config files of a repository: `.pogo/ci/*.yaml` and `*.yml`,
 * top level only, sorted by file name (code-unit order, so the result does
 * not depend on the locale). Returns absolute paths; a missing folder means
 * no pipelines.
 */
export function discoverConfigFiles(root: string): string[] {
  const dir = path.join(root, CONFIG_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names
    .filter((name) => CONFIG_EXTENSION.test(name))
    .sort(compareCodeUnits)
    .map((name) => path.join(dir, name))
    .filter((file) => isFile(file));
}

function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}
