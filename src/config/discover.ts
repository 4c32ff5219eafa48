import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../util/errors.js";

/** Folder, relative to the repository root, whose top-level YAML files are the pipelines. */
export const CONFIG_DIR = path.join(".pogo", "ci");

const CONFIG_EXTENSION = /\.ya?ml$/;

/**
 * ConfigFolderError means `.pogo/ci` exists but cannot be listed, such as
 * when it is a file. It is a UsageError, so the CLI exits with status 2:
 * the user has to fix the repository layout before anything can run.
 */
export class ConfigFolderError extends UsageError {
  override readonly code = "CONFIG_FOLDER";
}

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
 * Lists the config entries of a repository: names ending in `.yaml` or
 * `.yml` at the top level of `.pogo/ci`, sorted by file name (code-unit
 * order, so the result does not depend on the locale). Returns absolute
 * paths. Entries that are not readable files (folders, dangling symbolic
 * links) are listed too, so loading can report them instead of skipping
 * a pipeline unnoticed. A missing folder means no pipelines; throws
 * ConfigFolderError when `.pogo/ci` is not a folder or cannot be listed.
 */
export function discoverConfigFiles(root: string): string[] {
  const dir = path.join(root, CONFIG_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    if (code === "ENOTDIR") {
      throw new ConfigFolderError(
        `${dir} is not a folder; pipelines live in .pogo/ci/*.yaml, so replace the file with a folder`,
      );
    }
    throw new ConfigFolderError(`cannot list ${dir} (${code ?? String(error)})`);
  }
  return names
    .filter((name) => CONFIG_EXTENSION.test(name))
    .sort(compareCodeUnits)
    .map((name) => path.join(dir, name));
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
