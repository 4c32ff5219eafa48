import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ObjectStore } from "./objects.js";

const sha = (content: string) => createHash("sha256").update(content).digest("hex");

describe("ObjectStore", () => {
  let root: string;
  let objects: ObjectStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pogo-objects-"));
    objects = new ObjectStore(root);
    await objects.open();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("stores a blob under its hash", async () => {
    const result = await objects.put(sha("hello"), [Buffer.from("hel"), Buffer.from("lo")]);
    expect(result).toEqual({ size: 5, written: true });
    expect((await objects.read(sha("hello"))).toString()).toBe("hello");
    expect(objects.pathOf(sha("hello"))).toBe(
      join(root, sha("hello").slice(0, 2), sha("hello").slice(2)),
    );
  });

  it("deduplicates a blob it already holds", async () => {
    await objects.put(sha("same"), [Buffer.from("same")]);
    expect(await objects.put(sha("same"), [Buffer.from("same")])).toEqual({
      size: 4,
      written: false,
    });
  });

  it("keeps nothing when the hash does not match", async () => {
    await expect(objects.put(sha("expected"), [Buffer.from("other")])).rejects.toMatchObject({
      code: "HASH_MISMATCH",
    });
    expect(await objects.has(sha("expected"))).toBe(false);
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("rejects an existing blob uploaded with wrong bytes", async () => {
    await objects.put(sha("kept"), [Buffer.from("kept")]);
    await expect(objects.put(sha("kept"), [Buffer.from("nope")])).rejects.toMatchObject({
      code: "HASH_MISMATCH",
    });
    expect((await objects.read(sha("kept"))).toString()).toBe("kept");
  });

  it("keeps nothing past the size limit", async () => {
    await expect(objects.put(sha("too long"), [Buffer.from("too long")], 4)).rejects.toMatchObject({
      code: "BLOB_TOO_LARGE",
      status: 413,
    });
    expect(await objects.has(sha("too long"))).toBe(false);
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("stores concurrent uploads of one blob once", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => objects.put(sha("race"), [Buffer.from("race")])),
    );
    expect(results.every((result) => result.size === 4)).toBe(true);
    expect((await readFile(objects.pathOf(sha("race")))).toString()).toBe("race");
  });

  it("removes temporary files left by a crash on open", async () => {
    await writeFile(join(root, "tmp", "leftover"), "partial");
    await objects.open();
    expect(await readdir(join(root, "tmp"))).toEqual([]);
  });

  it("rejects a malformed hash", () => {
    expect(() => objects.pathOf("../../etc/passwd")).toThrow("invalid object hash");
  });
});
