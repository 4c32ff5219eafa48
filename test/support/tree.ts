import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

/** TreeSnapshot maps each file and symlink path to what a pushed tree must reproduce. */
export type TreeSnapshot = Map<string, { kind: "file" | "symlink"; mode: number; content: string }>;

/** Reads a directory as a snapshot: file content and permission bits, symlink targets. */
export async function snapshotDirectory(
  root: string,
  skip: (path: string) => boolean = () => false,
): Promise<TreeSnapshot> {
  const snapshot: TreeSnapshot = new Map();
  const walk = async (relative: string) => {
    for (const child of await readdir(relative ? join(root, relative) : root, {
      withFileTypes: true,
    })) {
      const path = relative ? `${relative}/${child.name}` : child.name;
      if (skip(path)) continue;
      const full = join(root, path);
      if (child.isDirectory()) await walk(path);
      else if (child.isSymbolicLink())
        snapshot.set(path, { kind: "symlink", mode: 0o777, content: await readlink(full) });
      else {
        const info = await lstat(full);
        snapshot.set(path, {
          kind: "file",
          mode: info.mode & 0o777,
          content: (await readFile(full)).toString("base64"),
        });
      }
    }
  };
  await walk("");
  return snapshot;
}
