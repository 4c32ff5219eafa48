import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HASH_CACHE_FILE } from "./hash-cache.js";
import { scanTree } from "./scan.js";

const HOUR_AGO = new Date(Date.now() - 3_600_000);

describe("scanTree", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pogo-scan-"));
    await mkdir(join(root, ".pogo"));
    await writeFile(join(root, ".pogo/repository.json"), "{}");
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const hashOf = async (path: string) => {
    const tree = await scanTree(root);
    const entry = tree.entries.find((candidate) => candidate.path === path);
    return entry?.type === "file" ? entry.hash : undefined;
  };

  it("caches hashes of settled files only", async () => {
    await writeFile(join(root, "old.txt"), "old");
    await utimes(join(root, "old.txt"), HOUR_AGO, HOUR_AGO);
    await writeFile(join(root, "new.txt"), "new");
    const tree = await scanTree(root);
    const cache = JSON.parse(await readFile(join(root, HASH_CACHE_FILE), "utf8"));
    expect(Object.keys(cache.files)).toEqual(["old.txt"]);
    expect(tree.entries.map((entry) => entry.path)).toEqual(["new.txt", "old.txt"]);
  });

  it("rehashes a file rewritten with the same size and mtime", async () => {
    await writeFile(join(root, "a.txt"), "aaaa");
    await utimes(join(root, "a.txt"), HOUR_AGO, HOUR_AGO);
    const before = await hashOf("a.txt");
    await writeFile(join(root, "a.txt"), "bbbb");
    await utimes(join(root, "a.txt"), HOUR_AGO, HOUR_AGO);
    const after = await hashOf("a.txt");
    expect(after).not.toBe(before);
    expect(after).toBe("81cc5b17018674b401b42f35ba07bb79e211239c23bffe658da1577e3e646877");
  });

  it("ignores a damaged cache file", async () => {
    await writeFile(join(root, "a.txt"), "aaaa");
    await writeFile(join(root, HASH_CACHE_FILE), "{not json");
    expect(await hashOf("a.txt")).toBe(
      "61be55a8e2f6b4e172338bddf184d6dbee29c98853e0a0485ecee7f27b9af0b4",
    );
  });

  it("never lists the link or the cache file", async () => {
    await writeFile(join(root, "a.txt"), "a");
    await utimes(join(root, "a.txt"), HOUR_AGO, HOUR_AGO);
    await scanTree(root);
    const tree = await scanTree(root);
    expect(tree.entries.map((entry) => entry.path)).toEqual(["a.txt"]);
  });

  it("names a file whose name is not UTF-8", async () => {
    const name = Buffer.concat([
      Buffer.from(`${root}/caf`),
      Buffer.from([0xe9]),
      Buffer.from(".txt"),
    ]);
    await writeFile(name, "x");
    await expect(scanTree(root)).rejects.toThrow(
      'cannot push "caf\uFFFD.txt": its name is not valid UTF-8; rename it or add it to .pogoignore',
    );
    await writeFile(join(root, ".pogoignore"), "caf*.txt\n");
    const tree = await scanTree(root);
    expect(tree.entries.map((entry) => entry.path)).toEqual([".pogoignore"]);
  });
});
