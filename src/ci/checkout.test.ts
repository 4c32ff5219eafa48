import { lstat, mkdtemp, readFile, readlink, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ObjectStore } from "../store/objects.js";
import type { Tree } from "../store/tree.js";
import { CheckoutCache } from "./checkout.js";

const REVISION = "a".repeat(40);
const OTHER = "b".repeat(40);

describe("CheckoutCache", () => {
  let dir: string;
  let objects: ObjectStore;
  let cache: CheckoutCache;
  let tree: Tree;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pogo-checkout-"));
    objects = new ObjectStore(join(dir, "objects"));
    await objects.open();
    const script = await objects.putBytes(Buffer.from("#!/bin/sh\necho hi\n"));
    const readme = await objects.putBytes(Buffer.from("readme\n"));
    tree = {
      entries: [
        { path: "README.md", type: "file", mode: 0o644, hash: readme, size: 7 },
        { path: "bin/run.sh", type: "file", mode: 0o755, hash: script, size: 18 },
        { path: "link", type: "symlink", target: "README.md" },
      ],
    };
    cache = new CheckoutCache(join(dir, "checkouts"), objects);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes files, modes and symlinks once", async () => {
    let reads = 0;
    const load = async () => {
      reads++;
      return tree;
    };
    const [first, second] = await Promise.all([
      cache.checkout(REVISION, load),
      cache.checkout(REVISION, load),
    ]);
    expect(first).toBe(second);
    expect(reads).toBe(1);
    expect(await readFile(join(first, "README.md"), "utf8")).toBe("readme\n");
    expect((await stat(join(first, "bin/run.sh"))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(first, "link"))).toBe("README.md");
    await cache.checkout(REVISION, load);
    expect(reads).toBe(1);
  });

  it("prunes checkouts unused past the cut-off", async () => {
    const old = await cache.checkout(REVISION, async () => tree);
    const kept = await cache.checkout(OTHER, async () => tree);
    const past = new Date(Date.now() - 10 * 86_400_000);
    await utimes(old, past, past);
    await utimes(kept, past, past);
    expect(await cache.prune(Date.now() - 86_400_000, new Set([OTHER]))).toBe(1);
    await expect(lstat(old)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await lstat(kept)).isDirectory()).toBe(true);
  });
});
