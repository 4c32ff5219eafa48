import { type LoadedConfig, loadConfigBytes } from "../config/index.js";
import type { ObjectStore } from "../store/objects.js";
import type { Tree } from "../store/tree.js";

/** Config files larger than this are reported as broken instead of parsed. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_PATH = /^\.pogo\/ci\/[^/]+\.ya?ml$/;

/**
 * Loads the CI configs of a revision straight from the object store:
 * regular files at the top level of `.pogo/ci/` ending in `.yaml` or
 * `.yml`, in code-unit order of their names, as `pogo ci test` finds them
 * on disk. A symlink there is skipped, because its target may lie outside
 * the revision.
 */
export async function loadRevisionConfigs(
  tree: Tree,
  objects: ObjectStore,
): Promise<LoadedConfig[]> {
  const files = tree.entries.filter(
    (entry) => entry.type === "file" && CONFIG_PATH.test(entry.path),
  );
  // Code-unit order, so the result does not depend on the locale.
  files.sort((a, b) => {
    if (a.path === b.path) return 0;
    return a.path < b.path ? -1 : 1;
  });
  const configs: LoadedConfig[] = [];
  for (const entry of files) {
    if (entry.type !== "file") continue;
    if (entry.size > MAX_CONFIG_BYTES) {
      configs.push(tooLarge(entry.path, entry.size));
      continue;
    }
    configs.push(loadConfigBytes(entry.path, await objects.read(entry.hash)));
  }
  return configs;
}

function tooLarge(file: string, size: number): LoadedConfig {
  return {
    file,
    text: "",
    diagnostics: [
      {
        file,
        line: 1,
        column: 1,
        code: "UNREADABLE_FILE",
        severity: "error",
        message: `the file is ${size} bytes; configs are limited to ${MAX_CONFIG_BYTES} bytes`,
      },
    ],
    warnings: [],
    renderWholeFile: false,
  };
}
