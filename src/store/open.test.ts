import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, prepareDataDir } from "./open.js";

const made: string[] = [];

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "pogo-open-"));
  made.push(root);
  return root;
}

afterEach(async () => {
  for (const root of made.splice(0)) await rm(root, { recursive: true, force: true });
});

describe("data directory permissions", () => {
  it("keeps a new data dir private", async () => {
    const dataDir = join(await tempRoot(), "data");
    expect(await prepareDataDir(dataDir)).toBeUndefined();
    const store = await openStore({ dataDir });
    await store.db.close();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    for (const file of ["pogo.db", "pogo.db-wal", "pogo.db-shm"]) {
      const path = join(dataDir, file);
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (exists) expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(dataDir, "pogo.db"))).mode & 0o777).toBe(0o600);
  });

  it("warns about a readable data dir", async () => {
    const dataDir = join(await tempRoot(), "open");
    await mkdir(dataDir, { mode: 0o755 });
    expect(await prepareDataDir(dataDir)).toContain("chmod 700");
  });
});
