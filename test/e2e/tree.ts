import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/**
 * Lists every file and symlink under `root` as "path" → "sha256" (or
 * "-> target" for a symlink), with paths relative to `root` and `/` between
 * parts. Directories appear only through their contents.
 */
export function hashTree(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const key = relative(root, path).split("\\").join("/");
      if (stat.isDirectory()) walk(path);
      else if (stat.isSymbolicLink()) entries.set(key, `-> ${readlinkSync(path)}`);
      else entries.set(key, createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(root);
  return entries;
}

/** Unpacks a zip archive with `unzip` and returns its tree as {@link hashTree} lists it. */
export function hashZip(zip: Buffer): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "pogo-e2e-zip-"));
  try {
    const file = join(dir, "archive.zip");
    writeFileSync(file, zip);
    const tree = join(dir, "tree");
    execFileSync("unzip", ["-q", file, "-d", tree]);
    return hashTree(tree);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns the paths whose entries differ between two trees, sorted, for a readable assertion. */
export function diffTrees(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const paths = new Set([...expected.keys(), ...actual.keys()]);
  return [...paths].filter((path) => expected.get(path) !== actual.get(path)).sort();
}
