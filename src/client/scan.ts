import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  type Stats,
} from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathProblem, type TreeEntry } from "../store/tree.js";
import { PogoError } from "../util/errors.js";
import { LINK_FILE } from "./config.js";
import { HASH_CACHE_FILE, HashCache } from "./hash-cache.js";
import { IgnoreRules } from "./ignore.js";

/** IGNORE_FILE is read from the root of the working tree. */
export const IGNORE_FILE = ".pogoignore";

/**
 * Patterns applied before `.pogoignore`, which can re-include them with
 * `!node_modules/`: installed packages and the default server data dir are
 * rebuilt, not versioned.
 */
export const DEFAULT_IGNORES = ["node_modules/", ".pogo-data/"];

/** Paths never pushed, even when `.pogoignore` re-includes them: git's metadata and the repository link. */
const ALWAYS_IGNORED = new Set([".git", LINK_FILE, HASH_CACHE_FILE]);

// Files up to this size are read whole, synchronously, to hash them:
// for many small files that is several times faster than a round trip
// through libuv's thread pool each, and a CLI has nothing else to run
// meanwhile. Larger files stream.
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;

/** ScannedFile pairs a tree entry with the file its content comes from. */
export interface ScannedTree {
  entries: TreeEntry[];
  /** Absolute file paths by tree path, for uploading. */
  sources: Map<string, string>;
  /** Paths skipped because they are neither files, directories nor symlinks. */
  skipped: string[];
}

/** Walks `root` and returns every file and symlink to push, hashed, honouring ignore rules. */
export async function scanTree(root: string): Promise<ScannedTree> {
  const rules = new IgnoreRules().add(DEFAULT_IGNORES.join("\n"));
  try {
    rules.add(await readFile(join(root, IGNORE_FILE), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }

  const files: Array<{ path: string; source: string; stats: Stats }> = [];
  const entries: TreeEntry[] = [];
  const skipped: string[] = [];

  const walk = (relative: string): void => {
    const directory = relative === "" ? root : join(root, relative);
    const children = readdirSync(directory, { withFileTypes: true });
    children.sort((a, b) => compareText(a.name, b.name));
    for (const child of children) {
      const path = relative === "" ? child.name : `${relative}/${child.name}`;
      if (ALWAYS_IGNORED.has(path)) continue;
      if (child.name.includes("\uFFFD") && !utf8Names(directory).has(child.name)) {
        // Node decodes the name lossily, so it cannot be opened under it.
        if (rules.ignores(path, child.isDirectory())) continue;
        throw new PogoError(
          "INVALID_PATH",
          `cannot push ${JSON.stringify(path)}: its name is not valid UTF-8; rename it or add it to ${IGNORE_FILE}`,
        );
      }
      const problem = pathProblem(path);
      if (problem)
        throw new PogoError("INVALID_PATH", `cannot push ${JSON.stringify(path)}: ${problem}`);
      if (rules.ignores(path, child.isDirectory())) continue;
      const source = join(root, path);
      if (child.isDirectory()) {
        walk(path);
      } else if (child.isSymbolicLink()) {
        entries.push({ path, type: "symlink", target: readlinkSync(source) });
      } else if (child.isFile()) {
        files.push({ path, source, stats: lstatSync(source) });
      } else {
        skipped.push(path);
      }
    }
  };
  walk("");

  const cache = HashCache.load(root);
  const sources = new Map<string, string>();
  for (const file of files) {
    const mode = file.stats.mode & 0o777;
    let hash = cache.lookup(file.path, file.stats);
    let size = file.stats.size;
    if (hash === undefined) {
      ({ hash, size } = await hashFile(file.source, size));
      if (size === file.stats.size) cache.record(file.path, file.stats, hash);
    } else {
      cache.record(file.path, file.stats, hash);
    }
    entries.push({ path: file.path, type: "file", mode, hash, size });
    sources.set(file.path, file.source);
  }
  if (existsSync(join(root, LINK_FILE))) cache.save();
  entries.sort((a, b) => compareText(a.path, b.path));
  return { entries, sources, skipped };
}

/** Returns the names in `directory` that are valid UTF-8. */
function utf8Names(directory: string): Set<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const names = new Set<string>();
  for (const raw of readdirSync(directory, { encoding: "buffer" })) {
    try {
      names.add(decoder.decode(raw));
    } catch {
      // Not UTF-8: left out, so the caller rejects it.
    }
  }
  return names;
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Returns the sha256 and the byte count of a file's content as read now. */
export async function hashFile(
  path: string,
  expectedSize: number,
): Promise<{ hash: string; size: number }> {
  const hasher = createHash("sha256");
  if (expectedSize <= WHOLE_FILE_LIMIT) {
    const content = readFileSync(path);
    return { hash: hasher.update(content).digest("hex"), size: content.length };
  }
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hasher.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: hasher.digest("hex"), size };
}
