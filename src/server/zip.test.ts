import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readZip } from "../../test/support/zip-reader.js";
import { writeZip, type ZipEntry } from "./zip.js";

async function collect(
  entries: ZipEntry[],
  options?: { zip64StreamThreshold?: number },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeZip(entries, new Date("2026-05-04T03:02:01Z"), options))
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("writeZip", () => {
  let directory: string;
  let small: string;
  let large: string;
  let largeContent: Buffer;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "pogo-zip-"));
    small = join(directory, "small");
    large = join(directory, "large");
    await writeFile(small, "hello\n".repeat(100));
    // Half random, half repetitive: big enough to stream, and compressible.
    largeContent = Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(2 * 1024 * 1024, "a")]);
    await writeFile(large, largeContent);
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const entries = (): ZipEntry[] => [
    { type: "file", path: "dir/small.txt", mode: 0o644, size: 600, source: small },
    { type: "file", path: "bin/tool", mode: 0o755, size: 600, source: small },
    { type: "file", path: "big.bin", mode: 0o600, size: largeContent.length, source: large },
    { type: "symlink", path: "link", target: "dir/small.txt" },
  ];

  it("passes unzip's integrity test", async () => {
    const path = join(directory, "plain.zip");
    await writeFile(path, await collect(entries()));
    const output = execFileSync("unzip", ["-t", path], { encoding: "utf8" });
    expect(output).toContain("No errors detected");
  });

  it("records modes, symlinks and content", async () => {
    const members = readZip(await collect(entries()));
    expect(members.map((member) => [member.path, member.unixMode.toString(8)])).toEqual([
      ["dir/small.txt", "100644"],
      ["bin/tool", "100755"],
      ["big.bin", "100600"],
      ["link", "120777"],
    ]);
    expect(members[2]!.content.equals(largeContent)).toBe(true);
    expect(members[3]!.content.toString()).toBe("dir/small.txt");
  });

  it("writes ZIP64 records for streamed entries past the threshold", async () => {
    const zip = await collect(entries(), { zip64StreamThreshold: 1 });
    const path = join(directory, "zip64.zip");
    await writeFile(path, zip);
    expect(execFileSync("unzip", ["-t", path], { encoding: "utf8" })).toContain(
      "No errors detected",
    );
    const extracted = join(directory, "zip64-out");
    execFileSync("unzip", ["-q", path, "-d", extracted]);
    expect((await readFile(join(extracted, "big.bin"))).equals(largeContent)).toBe(true);
  });

  it("writes a ZIP64 end record past 65,535 entries", async () => {
    const many: ZipEntry[] = Array.from({ length: 70_000 }, (_, index) => ({
      type: "symlink",
      path: `links/${index}`,
      target: "x",
    }));
    const zip = await collect(many);
    expect(readZip(zip)).toHaveLength(70_000);
    const path = join(directory, "many.zip");
    await writeFile(path, zip);
    const listing = execFileSync("unzip", ["-l", path], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(listing.trim().split("\n").at(-1)).toMatch(/70000 files$/);
  });

  it("fails when an object is shorter than its tree entry", async () => {
    const wrong: ZipEntry[] = [
      { type: "file", path: "big.bin", mode: 0o644, size: largeContent.length + 1, source: large },
    ];
    await expect(collect(wrong)).rejects.toThrow("the tree records");
  });
});
