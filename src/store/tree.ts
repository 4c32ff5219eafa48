import { createHash } from "node:crypto";
import { invalid } from "./errors.js";

/** FileEntry is a regular file in a revision: permission bits and the sha256 of its content. */
export interface FileEntry {
  path: string;
  type: "file";
  /** Unix permission bits, 0 to 0o777; the executable bit travels here. */
  mode: number;
  /** Lower-case hex sha256 of the content, which is stored in the object store. */
  hash: string;
  size: number;
}

/** SymlinkEntry is a symbolic link in a revision, stored with its target as written. */
export interface SymlinkEntry {
  path: string;
  type: "symlink";
  target: string;
}

export type TreeEntry = FileEntry | SymlinkEntry;

/** Tree is the immutable file list of a revision, sorted by path. */
export interface Tree {
  entries: TreeEntry[];
}

export const HASH_PATTERN = /^[0-9a-f]{64}$/;
export const MAX_TREE_ENTRIES = 1_000_000;
const MAX_PATH_BYTES = 4096;
const MAX_COMPONENT_BYTES = 255;

/** Returns why `path` is not a safe relative tree path, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return "it is empty";
  if (path.includes("\0")) return "it contains a NUL byte";
  if (path.includes("\\")) return "it contains a backslash; use `/` between directories";
  if (path.startsWith("/")) return "it is absolute; paths are relative to the repository root";
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `it is longer than ${MAX_PATH_BYTES} bytes`;
  for (const component of path.split("/")) {
    if (component === "") return "it contains an empty part (`//` or a trailing `/`)";
    if (component === "." || component === "..") return "it contains a `.` or `..` part";
    if (Buffer.byteLength(component) > MAX_COMPONENT_BYTES) {
      return `a part is longer than ${MAX_COMPONENT_BYTES} bytes`;
    }
  }
  return undefined;
}

/**
 * Parses and checks a tree sent by a client: every field typed, paths safe,
 * no path twice, and no entry below a file or symlink (a path such as
 * `link/file` under a symlink `link` would let an archive write outside
 * its directory when unpacked). Returns the entries sorted by path.
 */
export function parseTree(value: unknown): Tree {
  if (!Array.isArray(value))
    throw invalid("INVALID_TREE", "`entries` must be a list of files and symlinks");
  if (value.length > MAX_TREE_ENTRIES) {
    throw invalid(
      "TREE_TOO_LARGE",
      `the tree has ${value.length} entries; the limit is ${MAX_TREE_ENTRIES}`,
    );
  }
  const entries = value.map((raw, index) => parseEntry(raw, `entries[${index}]`));
  entries.sort((a, b) => {
    if (a.path === b.path) return 0;
    return a.path < b.path ? -1 : 1;
  });

  const paths = new Set<string>();
  for (const entry of entries) {
    if (paths.has(entry.path)) {
      throw invalid("DUPLICATE_PATH", `the tree lists ${JSON.stringify(entry.path)} twice`);
    }
    paths.add(entry.path);
  }
  for (const entry of entries) {
    let slash = entry.path.indexOf("/");
    while (slash !== -1) {
      const parent = entry.path.slice(0, slash);
      if (paths.has(parent)) {
        throw invalid(
          "PATH_CONFLICT",
          `${JSON.stringify(entry.path)} is inside ${JSON.stringify(parent)}, which is a file or symlink`,
        );
      }
      slash = entry.path.indexOf("/", slash + 1);
    }
  }
  return { entries };
}

function parseEntry(raw: unknown, field: string): TreeEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid("INVALID_TREE", `${field} must be an object`);
  }
  const entry = raw as Record<string, unknown>;
  const path = entry.path;
  if (typeof path !== "string") throw invalid("INVALID_PATH", `${field}.path must be a string`);
  const problem = pathProblem(path);
  if (problem)
    throw invalid(
      "INVALID_PATH",
      `invalid path ${JSON.stringify(path)} at ${field}.path: ${problem}`,
    );

  if (entry.type === "symlink") {
    const target = entry.target;
    if (typeof target !== "string" || target.length === 0 || target.includes("\0")) {
      throw invalid("INVALID_TREE", `${field}.target must be a non-empty string without NUL bytes`);
    }
    if (Buffer.byteLength(target) > MAX_PATH_BYTES) {
      throw invalid("INVALID_TREE", `${field}.target is longer than ${MAX_PATH_BYTES} bytes`);
    }
    return { path, type: "symlink", target };
  }
  if (entry.type !== "file") {
    throw invalid("INVALID_TREE", `${field}.type must be "file" or "symlink"`);
  }
  const { mode, hash, size } = entry;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw invalid("INVALID_TREE", `${field}.mode must be an integer from 0 to 511 (0o777)`);
  }
  if (typeof hash !== "string" || !HASH_PATTERN.test(hash)) {
    throw invalid("INVALID_HASH", `${field}.hash must be 64 lower-case hex digits (sha256)`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw invalid("INVALID_TREE", `${field}.size must be a non-negative integer`);
  }
  return { path, type: "file", mode, hash, size };
}

/** Encodes a sorted tree as the canonical bytes stored in the object store. */
export function encodeTree(tree: Tree): Buffer {
  const lines = tree.entries.map((entry) =>
    JSON.stringify(
      entry.type === "file"
        ? { path: entry.path, type: "file", mode: entry.mode, hash: entry.hash, size: entry.size }
        : { path: entry.path, type: "symlink", target: entry.target },
    ),
  );
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** Decodes bytes written by encodeTree. */
export function decodeTree(bytes: Buffer): Tree {
  const text = bytes.toString("utf8");
  const entries: TreeEntry[] = [];
  for (const line of text.split("\n")) {
    if (line !== "") entries.push(JSON.parse(line) as TreeEntry);
  }
  return { entries };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
